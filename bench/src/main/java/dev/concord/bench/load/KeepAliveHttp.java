package dev.concord.bench.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One kept-alive HTTP/1.1 connection that sends a request and reads its answer, nothing more: the load generator of
 * the publish benchmark, in the spirit of wrk. java.net.http's client spent on two shared cores what the door under
 * test needed (a selector thread, futures and a few hundred objects per exchange), so the door's ratio to the raw
 * producer — whose baseline has no HTTP client at all — measured the client as much as the door.
 *
 * <p>Not thread-safe: one per client thread. Understands what producer-service answers: a status line, headers, and a
 * body by {@code Content-Length} or chunked; a {@code Connection: close} answer reconnects on the next exchange.
 */
public final class KeepAliveHttp implements AutoCloseable {

    private final InetSocketAddress address;
    private final String hostHeader;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    public KeepAliveHttp(URI base) {
        this.address = new InetSocketAddress(base.getHost(), base.getPort());
        this.hostHeader = base.getHost() + ":" + base.getPort();
    }

    /** The head of a request without its length line: method, path, Host and the given headers. */
    public byte[] head(String method, String path, String... headerLines) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        return head.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code head} (from {@link #head}) with {@code body}, reads the whole answer, and returns its status. */
    public int exchange(byte[] head, byte[] body) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(head);
            out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readAnswer();
        } catch (IOException e) {
            close(); // the next exchange starts on a new connection
            throw e;
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        socket.setSoTimeout(120_000);
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 4096);
        in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    private int readAnswer() throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long chunk = Long.parseLong(line().split(";")[0].trim(), 16); chunk > 0;
                 chunk = Long.parseLong(line().split(";")[0].trim(), 16)) {
                skip(chunk);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length > 0) {
            skip(length);
        }
        if (close) {
            close();
        }
        return status;
    }

    private void skip(long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed in a body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed in an answer");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing left to read or write
            }
            socket = null;
        }
    }
}
