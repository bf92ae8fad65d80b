package dev.newsclassifier.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * A TCP proxy on 127.0.0.1 in front of one port, whose link a fault test breaks from outside the service: {@link #cut()}
 * resets every open connection and refuses new ones until {@link #restore()}; {@link #delay(Duration)} delivers every
 * chunk of bytes that long after it was read, in each direction, in order.
 */
public final class LinkProxy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LinkProxy.class);
    private static final int CHUNK_BYTES = 64 * 1024;

    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile int targetPort = -1;
    private volatile boolean cut;
    private volatile long delayNanos;

    private LinkProxy(ServerSocket server) {
        this.server = server;
    }

    /** Listens on a free loopback port now; connections are accepted once {@link #forwardTo(int)} names the target. */
    public static LinkProxy bind() {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new LinkProxy(server);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the link proxy", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Starts forwarding every connection to {@code 127.0.0.1:port}. */
    public LinkProxy forwardTo(int port) {
        if (targetPort >= 0) {
            throw new IllegalStateException("the proxy already forwards to port " + targetPort);
        }
        targetPort = port;
        Thread acceptor = new Thread(this::accept, "link-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    /** Resets every open connection; new ones are refused until {@link #restore()}. Returns how many were reset. */
    public int cut() {
        cut = true;
        int open = links.size();
        links.forEach(Link::close);
        return open;
    }

    public void restore() {
        cut = false;
    }

    /** From now on, bytes read are delivered this much later, in each direction; zero delivers them at once. */
    public void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** Connections open through the proxy now. */
    public int connections() {
        return links.size();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debugf("closing the link proxy: %s", e.getMessage());
        }
        links.forEach(Link::close);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                new Link(client, upstream).start();
            } catch (IOException e) {
                // The target is down: the client sees its connection closed, as it would be refused.
                closeQuietly(client);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** One client connection and its upstream twin, pumped both ways. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private final AtomicBoolean closed = new AtomicBoolean();

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() throws IOException {
            links.add(this);
            String name = "link-proxy-" + client.getPort();
            pump(client.getInputStream(), upstream.getOutputStream(), name + "-out");
            pump(upstream.getInputStream(), client.getOutputStream(), name + "-in");
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                links.remove(this);
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }

        /** A reader and a writer thread, so that a delayed chunk never holds up reading the next. */
        private void pump(InputStream in, OutputStream out, String name) {
            BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[CHUNK_BYTES];
                try {
                    int read;
                    while ((read = in.read(buffer)) >= 0) {
                        chunks.put(new Chunk(Arrays.copyOf(buffer, read), System.nanoTime() + delayNanos));
                    }
                } catch (IOException | InterruptedException e) {
                    // The link was cut or a side closed it.
                } finally {
                    chunks.add(Chunk.END);
                }
            }, name + "-reader");
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        Chunk chunk = chunks.take();
                        if (chunk == Chunk.END) {
                            return;
                        }
                        long wait = chunk.dueNanos() - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        out.write(chunk.bytes());
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // The link was cut or a side closed it.
                } finally {
                    close();
                }
            }, name + "-writer");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }
    }

    private record Chunk(byte[] bytes, long dueNanos) {
        static final Chunk END = new Chunk(new byte[0], 0);
    }
}
