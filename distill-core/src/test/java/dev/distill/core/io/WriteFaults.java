package dev.distill.core.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test seam over {@link AtomicFiles#write}: counts the writes of the current thread and fails one
 * of them part-way, as a full disk or a kill mid-write would. Close it to remove the seam.
 *
 * <pre>{@code
 * try (WriteFaults f = WriteFaults.failWrite(2, 100, "No space left on device")) { ... }
 * }</pre>
 */
public final class WriteFaults implements AutoCloseable {
  /** What a failing write does once its byte budget is spent. */
  @FunctionalInterface
  public interface Failure {
    /**
     * Fails the write.
     *
     * @param destination the file being written
     * @throws IOException the simulated failure
     */
    void fail(Path destination) throws IOException;
  }

  private final int failingWrite;
  private final long bytes;
  private final Failure failure;
  private final List<Path> destinations = new ArrayList<>();

  private WriteFaults(int failingWrite, long bytes, Failure failure) {
    this.failingWrite = failingWrite;
    this.bytes = bytes;
    this.failure = failure;
    AtomicFiles.HOOK.set(this::wrap);
  }

  /**
   * Fails write number {@code write} (0-based, in order on this thread) with an {@link IOException}
   * after {@code bytes} bytes reached the temporary file, or when it is closed, whichever is first.
   *
   * @param write the index of the write to fail
   * @param bytes the bytes that still reach the file
   * @param message the exception message, e.g. {@code "No space left on device"}
   * @return the installed seam
   */
  public static WriteFaults failWrite(int write, long bytes, String message) {
    return new WriteFaults(
        write,
        bytes,
        d -> {
          throw new IOException(message);
        });
  }

  /**
   * Like {@link #failWrite(int, long, String)} with any failure (e.g. halting the JVM).
   *
   * @param write the index of the write to fail
   * @param bytes the bytes that still reach the file
   * @param failure what happens then
   * @return the installed seam
   */
  public static WriteFaults failWrite(int write, long bytes, Failure failure) {
    return new WriteFaults(write, bytes, failure);
  }

  /**
   * Only counts writes.
   *
   * @return the installed seam
   */
  public static WriteFaults count() {
    return new WriteFaults(-1, 0, d -> {});
  }

  /** The destinations of the writes seen so far, in order. */
  public List<Path> destinations() {
    return List.copyOf(destinations);
  }

  private OutputStream wrap(Path destination, OutputStream raw) {
    int index = destinations.size();
    destinations.add(destination);
    if (index != failingWrite) {
      return raw;
    }
    return new FilterOutputStream(raw) {
      long left = bytes;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        int n = (int) Math.min(len, left);
        out.write(b, off, n);
        left -= n;
        if (n < len) {
          out.flush();
          failure.fail(destination);
        }
      }

      @Override
      public void close() throws IOException {
        try {
          out.flush();
          failure.fail(destination); // the budget was not spent: fail before the rename anyway
        } finally {
          out.close();
        }
      }
    };
  }

  @Override
  public void close() {
    AtomicFiles.HOOK.remove();
  }
}
