package dev.newsclassifier.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkProxyTest {

    private ServerSocket echo;
    private LinkProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread connection = new Thread(() -> {
                        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // The test closed the connection.
                        }
                    });
                    connection.setDaemon(true);
                    connection.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        proxy = LinkProxy.bind().forwardTo(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    @Test
    void shouldForwardBytesBothWays() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "hello broker")).isEqualTo("hello broker");
            assertThat(roundTrip(socket, "again")).isEqualTo("again");
        }
    }

    @Test
    void shouldResetOpenConnectionsAndRefuseNewOnesWhileCut() throws Exception {
        Socket open = connect();
        assertThat(roundTrip(open, "before")).isEqualTo("before");
        awaitConnections(1);

        assertThat(proxy.cut()).isEqualTo(1);

        assertThat(open.getInputStream().read()).as("the open connection ends").isEqualTo(-1);
        open.close();
        try (Socket refused = connect()) {
            assertThat(answer(refused, "during")).as("an answer through a cut link").isEmpty();
        }

        proxy.restore();
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "after")).isEqualTo("after");
        }
    }

    @Test
    void shouldDeliverLateEachWayWhileDelayed() throws IOException {
        proxy.delay(Duration.ofMillis(300));
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(600));

            proxy.delay(Duration.ZERO);
            started = System.nanoTime();
            assertThat(roundTrip(socket, "fast")).isEqualTo("fast");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(600));
        }
    }

    /** What comes back, up to the connection's end ("" when it is closed at once, as a cut link does). */
    private static String answer(Socket socket, String message) {
        try {
            return roundTrip(socket, message);
        } catch (IOException reset) {
            return "";
        }
    }

    private void awaitConnections(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (proxy.connections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(proxy.connections()).isEqualTo(expected);
    }
}
