package io.tally.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    @TempDir
    Path directory;

    @Test
    void shouldWriteAnOwnerOnlyFileAndReplaceAWiderOne() throws Exception {
        Path file = directory.resolve("sub/demo.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        SecretFiles.write(file, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void shouldCreateOnlyWhenAbsent() throws Exception {
        Path file = directory.resolve("envelope.key");

        assertThat(SecretFiles.createIfAbsent(file, "first".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
        assertThat(SecretFiles.createIfAbsent(file, "second".getBytes(StandardCharsets.UTF_8)))
                .isFalse();

        assertThat(Files.readString(file)).isEqualTo("first");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }
}
