package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed (detected from the
 * magic bytes, not the file name).
 *
 * <p>Only unsigned-byte data (type code {@code 0x08}) is supported, which is what MNIST-family files
 * hold. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class Idx {
  private Idx() {}

  /**
   * The content of an IDX file of unsigned bytes.
   *
   * @param shape the dimensions, e.g. {@code [60000, 28, 28]}
   * @param data the bytes in row-major order (interpret as unsigned)
   */
  public record ByteArray(int[] shape, byte[] data) {}

  /**
   * Reads an IDX file.
   *
   * @param file the file (raw or gzip)
   * @return its shape and bytes
   * @throws IOException if it cannot be read, is not IDX, or is truncated (message names the file)
   */
  public static ByteArray read(Path file) throws IOException {
    checkNotNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads an IDX stream (raw or gzip).
   *
   * @param raw the stream (not closed)
   * @param source a description for error messages
   * @return its shape and bytes
   * @throws IOException if it is not IDX or is truncated
   */
  public static ByteArray read(InputStream raw, String source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream in =
        (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    DataInputStream d = new DataInputStream(in);
    try {
      int magic = d.readInt();
      if ((magic >>> 16) != 0) {
        throw new IOException(
            "IDX file " + source + " must start with two zero bytes but magic was 0x"
                + Integer.toHexString(magic));
      }
      int type = (magic >>> 8) & 0xff;
      int dims = magic & 0xff;
      if (type != 0x08) {
        throw new IOException(
            "IDX file " + source + " must hold unsigned bytes (type 0x08) but type was 0x"
                + Integer.toHexString(type));
      }
      if (dims < 1 || dims > 4) {
        throw new IOException("IDX file " + source + " must have 1 to 4 dims but had " + dims);
      }
      int[] shape = new int[dims];
      long n = 1;
      for (int i = 0; i < dims; i++) {
        shape[i] = d.readInt();
        if (shape[i] < 0) {
          throw new IOException("IDX file " + source + " has a negative size " + shape[i]);
        }
        n *= shape[i];
      }
      if (n > Integer.MAX_VALUE - 8) {
        throw new IOException("IDX file " + source + " is too large: " + n + " elements");
      }
      byte[] data = new byte[(int) n];
      d.readFully(data);
      return new ByteArray(shape, data);
    } catch (EOFException e) {
      throw new IOException("IDX file " + source + " is truncated", e);
    }
  }
}
