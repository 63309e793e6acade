package dev.concord.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy between one service and the broker, for the fault campaign's network faults: it forwards bytes both ways
 * and, on request, delays every chunk ({@link #latency}), resets every open connection ({@link #reset}), or becomes a
 * black hole that accepts connections and bytes but forwards nothing, so clients wait for their timeouts
 * ({@link #blackHole}). One thread per direction per connection: a handful of connections, for minutes.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile long delayNanos;
    private volatile long blackHoleUntilNanos;
    private volatile boolean closed;

    /** Listens on {@code port} (0: any free one) and forwards to {@code target}. */
    public TcpProxy(int port, InetSocketAddress target) {
        try {
            this.server = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + port, e);
        }
        this.target = target;
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every chunk waits {@code delay} before it is forwarded (0: none). */
    public void latency(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** Closes every open connection at once, as a peer's reset would. */
    public void reset() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    /** For {@code length}: connections stay open, but no byte goes through either way. */
    public void blackHole(Duration length) {
        blackHoleUntilNanos = System.nanoTime() + length.toNanos();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5_000);
                } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!closed) {
                    // A failed accept: the next one may work; the proxy itself stays up.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    holdWhileBlackHole();
                    long delay = delayNanos;
                    if (delay > 0) {
                        LockSupport.parkNanos(delay); // the injected latency itself
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                // The connection ended (reset, closed, or its peer went): end both sides, as a broken link does.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void holdWhileBlackHole() {
        long left;
        while (!closed && (left = blackHoleUntilNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a broken socket: nothing left to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        reset();
    }
}
