package dev.distill.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes files and folders atomically: into a temporary sibling, then one rename, so a reader (or a
 * resumed run) sees either the old state or the complete new one, never a half-written file.
 *
 * <p>A process killed mid-write leaves at worst a hidden temporary sibling ({@code
 * .<name>.<digits>.tmp} for a file, {@code .<name>.tmp-<digits>} for a folder), which never becomes
 * the destination; {@link #deleteLeftovers} removes them. A write that fails (a full disk, a
 * read-only folder) throws an {@link IOException} whose message names the destination. Stateless
 * and thread-safe.
 *
 * @since 0.1.0
 */
public final class AtomicFiles {
  /**
   * A test-only seam that wraps the stream of every {@link #write} on the current thread, to
   * simulate a full disk or a kill after some bytes (set by the tests' {@code WriteFaults}).
   */
  static final ThreadLocal<WriteHook> HOOK = new ThreadLocal<>();

  /** Wraps the raw stream of one {@link #write} (test seam, see {@link #HOOK}). */
  @FunctionalInterface
  interface WriteHook {
    OutputStream wrap(Path destination, OutputStream raw) throws IOException;
  }

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
   * @throws IOException if writing or the final move fails; the destination is then untouched and
   *     the message names it
   */
  public static void write(Path file, Body body) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    Path tmp = createTempFile(dir, "." + abs.getFileName() + ".");
    try {
      OutputStream raw = Files.newOutputStream(tmp);
      WriteHook hook = HOOK.get();
      if (hook != null) {
        raw = hook.wrap(abs, raw);
      }
      try (OutputStream out = new BufferedOutputStream(raw, 1 << 16)) {
        body.write(out);
      } catch (FileSystemException e) {
        throw e; // names its file already
      } catch (IOException e) {
        // a full disk says only "No space left on device": name the file
        throw new IOException("could not write " + abs + ": " + e.getMessage(), e);
      }
      move(tmp, abs);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static final Pattern DIGITS = Pattern.compile("\\d+");

  /**
   * Deletes the temporaries that killed {@link #write}s to {@code target} (hidden files {@code
   * .<name>.<digits>.tmp}) and killed folder writes through {@link #createTempDirectoryFor} (hidden
   * folders {@code .<name>.tmp-<digits>}) left next to it. Call it only while no other writer of
   * {@code target} is running (under a lock).
   *
   * @param target the destination file or folder
   * @return how many leftovers were deleted
   * @throws IOException if one cannot be deleted
   */
  public static int deleteLeftovers(Path target) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    String fileStart = "." + abs.getFileName() + ".";
    String folderStart = "." + abs.getFileName() + ".tmp-";
    int deleted = 0;
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir)) {
      for (Path p : siblings) {
        String n = p.getFileName().toString();
        boolean file =
            n.startsWith(fileStart)
                && n.endsWith(".tmp")
                && DIGITS.matcher(n.substring(fileStart.length(), n.length() - 4)).matches();
        boolean folder =
            n.startsWith(folderStart)
                && DIGITS.matcher(n.substring(folderStart.length())).matches();
        if (file || folder) {
          deleteRecursively(p);
          deleted++;
        }
      }
    }
    return deleted;
  }

  /**
   * Deletes a file or a folder with everything in it; a missing path is not an error.
   *
   * @param path the file or folder
   * @throws IOException if something cannot be deleted
   */
  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (NoSuchFileException e) {
      // deleted meanwhile
    } catch (UncheckedIOException e) {
      throw e.getCause();
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
   * Creates a hidden temporary sibling folder of {@code target} to be filled and then {@link #move
   * moved} into place; on POSIX file systems it gets {@code rwxr-xr-x} (less the umask).
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
