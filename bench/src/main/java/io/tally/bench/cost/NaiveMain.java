package io.tally.bench.cost;

import io.tally.bench.naive.NaiveService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The naive service in a process of its own, for {@link CostProbe}: {@code <jdbc url> <user> <licenses> <api key>
 * <shared key file> <response key file> <ready file>}, the keys read from files so that they are not on a command
 * line. Serves licenses {@link CostProbe#licenseKey(int)} 0 to {@code licenses - 1}; writes its URL to the ready file.
 */
public final class NaiveMain {

    private NaiveMain() {}

    public static void main(String[] args) throws Exception {
        int licenses = Integer.parseInt(args[2]);
        String[] keys = new String[licenses];
        for (int i = 0; i < licenses; i++) {
            keys[i] = CostProbe.licenseKey(i);
        }
        var naive = NaiveService.start(
                args[0],
                args[1],
                "",
                keys,
                CostProbe.LIMIT,
                args[3],
                Files.readString(Path.of(args[4])).strip(),
                Files.readString(Path.of(args[5])));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                naive.close();
            } catch (Exception ignored) {
                // ending anyway
            }
        }));
        Files.writeString(Path.of(args[6]), naive.url() + "\n", StandardCharsets.UTF_8);
        Thread.currentThread().join();
    }
}
