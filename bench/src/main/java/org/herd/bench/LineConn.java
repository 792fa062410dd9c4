package org.herd.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain blocking line-protocol connection, one command at a time. */
final class LineConn implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    LineConn(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    String ask(String line) throws IOException {
        send(line);
        return readLine();
    }

    String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new IOException("closed");
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** A WHATSAT reply: its AT line, then the JSON up to the empty line. */
    String readReply() throws IOException {
        String first = readLine();
        if (first.startsWith("AT ")) {
            String l;
            while (!(l = readLine()).isEmpty()) {
                // JSON
            }
        }
        return first;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
