package dev.distill.core.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * An exclusive, advisory lock on a file of the parts folder ({@code class-NNNN.lock} while a class
 * is generated, {@code assemble.lock} while the set is written), held through {@link
 * FileChannel#tryLock}, so the operating system releases it when its process dies, however it dies.
 * The file holds its last holder ({@code pid@host since <instant>}) for messages; it is never
 * deleted (deleting a lock file races with a process about to lock it).
 *
 * <p>A lock held by another thread of the same JVM counts as held. Not thread-safe: one instance is
 * used and closed by the thread that acquired it.
 */
final class ClassLock implements AutoCloseable {
  private static final long MAX_WAIT_STEP_MILLIS = 500;

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private ClassLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock if no one holds it.
   *
   * @param file the lock file (created if missing)
   * @return the lock, or empty if another process or thread holds it
   * @throws IOException if the lock file cannot be created or opened (the message names it)
   */
  static Optional<ClassLock> tryAcquire(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // another thread of this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    ClassLock held = new ClassLock(file, channel, lock);
    try {
      byte[] me = (self() + " since " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
      channel.write(ByteBuffer.wrap(me), 0); // then cut: a reader never sees an empty file
      channel.truncate(me.length);
    } catch (IOException e) {
      held.close();
      throw new IOException("could not write the lock file " + file + ": " + e.getMessage(), e);
    }
    return Optional.of(held);
  }

  /**
   * Waits until the lock is free and takes it, polling (a blocking {@link FileChannel#lock} would
   * throw for a holder in the same JVM).
   *
   * @param file the lock file
   * @param onWait called once, with the holder, if the lock is held
   * @return the lock
   * @throws IOException if the lock file cannot be opened, or the wait is interrupted
   */
  static ClassLock acquire(Path file, Runnable onWait) throws IOException {
    long step = 10;
    boolean told = false;
    while (true) {
      Optional<ClassLock> lock = tryAcquire(file);
      if (lock.isPresent()) {
        return lock.get();
      }
      if (!told) {
        onWait.run();
        told = true;
      }
      sleep(step);
      step = Math.min(MAX_WAIT_STEP_MILLIS, step * 2);
    }
  }

  /** Sleeps, turning an interrupt into an {@link java.io.InterruptedIOException}. */
  static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a lock");
    }
  }

  /**
   * The last holder written into a lock file, for messages.
   *
   * @param file the lock file
   * @return {@code pid@host since <instant>}, or {@code "unknown"}
   */
  static String holder(Path file) {
    // a new holder writes itself just after locking: give it a moment before saying "unknown"
    for (int attempt = 0; attempt < 25; attempt++) {
      try {
        String s = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!s.isEmpty()) {
          return s;
        }
        Thread.sleep(20);
      } catch (IOException e) {
        return "unknown";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "unknown";
      }
    }
    return "unknown";
  }

  /** This process as {@code pid@host} (the JVM's own name for itself; no DNS lookup). */
  static String self() {
    String name = ManagementFactory.getRuntimeMXBean().getName();
    return name.contains("@") ? name : ProcessHandle.current().pid() + "@" + name;
  }

  /** The lock file. */
  Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
