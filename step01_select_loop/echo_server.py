"""step01's twin: the same echo server, written on Python's select.select.

This is the layer that Twisted's selectreactor.py wraps.  Run it as
    python3 echo_server.py --port N
and compare it line by line with echo_server.c: the same sets rebuilt on
every pass, the same back-pressure, output flushed only when writable.
"""
import errno
import select
import signal
import socket
import sys

READ_CHUNK = 64 * 1024
HIGH_WATER = 1024 * 1024

stop_requested = False


def on_signal(signo, frame):
    global stop_requested
    if signo != signal.SIGCHLD:
        stop_requested = True


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "--port":
        sys.exit("usage: echo_server.py --port N")
    for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signo, on_signal)

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[2])))
    listener.listen(socket.SOMAXCONN)
    listener.setblocking(False)
    print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)

    clients = {}  # socket -> bytearray of output still to send
    closing = set()  # sent end of file: close once the echo is out
    accept_paused = False  # out of descriptors: wait for a client to leave

    def close(conn):
        nonlocal accept_paused
        del clients[conn]
        closing.discard(conn)
        conn.close()
        accept_paused = False

    while not stop_requested:
        readable = [] if accept_paused else [listener]
        readable += [c for c, out in clients.items()
                     if len(out) < HIGH_WATER and c not in closing]
        writable = [c for c, out in clients.items() if out]
        try:
            # Python retries select() after EINTR itself (PEP 475), once
            # the handler has run: that is the C loop's "continue".
            r, w, _ = select.select(readable, writable, [], 1.0)
        except OSError as e:
            sys.exit("select: %s" % e)
        if not r and not w:
            print("idle: nothing happened for 1 s (%d open)" % len(clients), flush=True)
            continue
        if listener in r:
            while True:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    break
                except OSError as e:
                    if e.errno in (errno.EMFILE, errno.ENFILE):
                        accept_paused = True  # as the C loop does
                    break
                conn.setblocking(False)
                clients[conn] = bytearray()
        for conn in r:
            if conn is listener or conn not in clients:
                continue
            try:
                data = conn.recv(READ_CHUNK)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                clients[conn] += data
            elif clients[conn]:
                closing.add(conn)  # half-closed: still waits for its echo
            else:
                close(conn)
        for conn in w:
            if conn not in clients:
                continue  # the read above closed it
            try:
                sent = conn.send(clients[conn])
                del clients[conn][:sent]
            except BlockingIOError:
                continue
            except OSError:
                close(conn)
                continue
            if conn in closing and not clients[conn]:
                close(conn)
    for conn in clients:
        conn.close()
    listener.close()


if __name__ == "__main__":
    main()
