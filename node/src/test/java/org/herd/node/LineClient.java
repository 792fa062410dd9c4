package org.herd.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking line-protocol client over a real TCP socket, as a classic client would use. */
final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    LineClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        sendBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends one command and reads its one-line reply (AT, ?, ERROR). */
    String ask(String line) throws IOException {
        send(line + "\n");
        return readLine();
    }

    /** Sends a WHATSAT and reads the whole reply: up to and including the blank line that ends it. */
    String whatsat(String line) throws IOException {
        send(line + "\n");
        return readReply();
    }

    String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            buf.write(b);
        }
        if (b == -1 && buf.size() == 0) {
            return null;
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** A one-line reply, or a WHATSAT reply (AT line, JSON, then an empty line), without the final newlines. */
    String readReply() throws IOException {
        String first = readLine();
        if (first == null || !first.startsWith("AT ")) {
            return first;
        }
        StringBuilder sb = new StringBuilder(first);
        String next = readLine();
        if (next == null) {
            return first;
        }
        if (!next.startsWith("{")) {
            throw new IOException("expected JSON after the AT line of a WHATSAT reply, got: " + next);
        }
        sb.append('\n').append(next);
        String l;
        while ((l = readLine()) != null && !l.isEmpty()) {
            sb.append('\n').append(l);
        }
        return sb.toString();
    }

    byte[] readRaw(int n) throws IOException {
        return in.readNBytes(n);
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads everything until the server closes the connection. */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
