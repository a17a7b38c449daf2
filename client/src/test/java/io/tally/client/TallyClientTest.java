package io.tally.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The client's output composes: the body alone on standard output, the status apart unless asked for. */
class TallyClientTest {

    private HttpServer server;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v4/check_license", exchange -> {
            byte[] body = "{\"code\":\"license_not_found\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Tally-Request-Id", "7f0c7f5e-2a55-4a8a-9d1b-6f0a3c1e2b40");
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/api/v4/floating/borrow", exchange -> {
            borrowBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"borrowed_until\":\"2026-12-24T18:00:00Z\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    private final java.util.List<String> borrowBodies = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void shouldBorrowForTheLongestUnlessAnEndIsGiven() {
        String[] longest = runCommand("floating-borrow");
        String[] until = runCommand("floating-borrow", "--until", "2026-12-24T18:00:00Z");

        assertThat(longest[0]).isEqualTo("0");
        assertThat(until[0]).isEqualTo("0");
        assertThat(borrowBodies).hasSize(2);
        assertThat(borrowBodies.get(0)).contains("\"borrowed_until\":null", "\"hardware_id\":\"h\"");
        assertThat(borrowBodies.get(1)).contains("\"borrowed_until\":\"2026-12-24T18:00:00Z\"");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void shouldPrintTheBodyAloneOnStandardOutputAndTheStatusOnStandardError() {
        String[] run = run();

        assertThat(run[0]).isEqualTo("1");
        assertThat(run[1]).isEqualTo("{\"code\":\"license_not_found\"}\n");
        assertThat(run[2]).isEqualTo("HTTP 400\n");
    }

    @Test
    void shouldPrintTheStatusAndHeadersBeforeTheBodyWhenIncluded() {
        String[] run = run("--include");

        assertThat(run[1])
                .startsWith("HTTP 400\n")
                .containsIgnoringCase("tally-request-id: 7f0c7f5e-2a55-4a8a-9d1b-6f0a3c1e2b40\n")
                .endsWith("\n\n{\"code\":\"license_not_found\"}\n");
        assertThat(run[2]).isEmpty();
    }

    @Test
    void shouldDescribeEveryOptionWhenHelpIsAsked() {
        new CommandLine(new TallyClient())
                .getSubcommands()
                .forEach((name, subcommand) -> subcommand
                        .getCommandSpec()
                        .options()
                        .forEach(option -> assertThat(String.join(" ", option.description()))
                                .as(name + " " + option.longestName())
                                .isNotBlank()));
    }

    /** {exit code, standard output, standard error} of {@code check-license} with {@code extra}. */
    private String[] run(String... extra) {
        String[] arguments = new String[extra.length + 1];
        arguments[0] = "check-license";
        System.arraycopy(extra, 0, arguments, 1, extra.length);
        return runCommand(arguments);
    }

    /** {exit code, standard output, standard error} of the subcommand {@code command[0]}, its options after it. */
    private String[] runCommand(String... command) {
        var out = new StringWriter();
        var err = new StringWriter();
        var commandLine = new CommandLine(new TallyClient());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        var arguments = new java.util.ArrayList<>(java.util.List.of(
                command[0],
                "--url",
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "--api-key",
                "key",
                "--shared-key",
                "shared",
                "--product",
                "app",
                "--license-key",
                "K",
                "--hardware-id",
                "h"));
        arguments.addAll(java.util.List.of(command).subList(1, command.length));
        int code = commandLine.execute(arguments.toArray(String[]::new));
        return new String[] {
            Integer.toString(code),
            out.toString().replace("\r", ""),
            err.toString().replace("\r", "")
        };
    }
}
