package dev.distill.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void writtenFilesGetOrdinaryPermissionsNotTempFilePermissions() throws IOException {
    Path plain = Files.createFile(tmp.resolve("plain"));
    Set<PosixFilePermission> expected = EnumSet.copyOf(Files.getPosixFilePermissions(plain));
    expected.retainAll(PosixFilePermissions.fromString("rw-r--r--"));

    Path file = tmp.resolve("atomic.txt");
    AtomicFiles.writeString(file, "hello");
    assertThat(file).hasContent("hello");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(expected);

    Path dir = AtomicFiles.createTempDirectoryFor(tmp.resolve("folder"));
    assertThat(dir.getFileName().toString()).startsWith(".folder.tmp-");
    assertThat(Files.getPosixFilePermissions(dir)).contains(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void replacingAFileIsAllOrNothing() throws IOException {
    Path file = tmp.resolve("f.txt");
    AtomicFiles.writeString(file, "old");
    AtomicFiles.writeString(file, "new");
    assertThat(file).hasContent("new");
    try (var list = Files.list(tmp)) {
      assertThat(list).hasSize(1);
    }
  }
}
