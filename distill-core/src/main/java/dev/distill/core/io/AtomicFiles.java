package dev.distill.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files and folders atomically: into a temporary sibling, then one rename, so a reader (or
 * a resumed run) sees either the old state or the complete new one, never a half-written file.
 *
 * @since 0.1.0
 */
public final class AtomicFiles {
  private static final Set<PosixFilePermission> FILE_PERMISSIONS =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private AtomicFiles() {}

  /** Writes the body of a file. */
  @FunctionalInterface
  public interface Body {
    /**
     * Writes the content.
     *
     * @param out the stream (buffered; closed by the caller)
     * @throws IOException on failure
     */
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes a file atomically.
   *
   * @param file the destination (its parent folders are created)
   * @param body writes the content
   * @throws IOException if writing or the final move fails; the destination is then untouched
   */
  public static void write(Path file, Body body) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = createTempFile(dir, "." + abs.getFileName() + ".");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        body.write(out);
      }
      move(tmp, abs);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Creates a hidden temporary file for {@link #write}; on POSIX file systems it gets the usual
   * {@code rw-r--r--} permissions (less the umask) rather than {@code createTempFile}'s owner-only
   * ones, since it becomes the final file.
   */
  private static Path createTempFile(Path dir, String prefix) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createTempFile(
          dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS));
    }
    return Files.createTempFile(dir, prefix, ".tmp");
  }

  /**
   * Creates a hidden temporary sibling folder of {@code target} to be filled and then {@link
   * #move moved} into place; on POSIX file systems it gets {@code rwxr-xr-x} (less the umask).
   *
   * @param target the final folder
   * @return the new empty temporary folder
   * @throws IOException if it cannot be created
   */
  public static Path createTempDirectoryFor(Path target) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    Path parent = Files.createDirectories(abs.getParent());
    String prefix = "." + abs.getFileName() + ".tmp-";
    if (parent.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createTempDirectory(
          parent, prefix, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
    }
    return Files.createTempDirectory(parent, prefix);
  }

  /**
   * Writes a string file atomically (UTF-8).
   *
   * @param file the destination
   * @param text the content
   * @throws IOException on failure
   */
  public static void writeString(Path file, String text) throws IOException {
    write(file, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /**
   * Moves a finished temporary file or folder into place, atomically where the file system can.
   *
   * @param from the finished temporary path
   * @param to the destination (replaced if it is a file)
   * @throws IOException if the move fails
   */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
