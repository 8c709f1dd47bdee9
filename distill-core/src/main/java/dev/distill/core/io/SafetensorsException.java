package dev.distill.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file is malformed: header length beyond the file, bad JSON, an unknown dtype, a
 * byte range that does not match shape × dtype size, offsets out of bounds, overlapping or leaving
 * gaps.
 *
 * <p>The message names the file, the tensor (if one is at fault) and the problem.
 *
 * @since 0.1.0
 */
public class SafetensorsException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the file
   * @param tensor the tensor at fault, or null for the header as a whole
   * @param problem what is wrong
   */
  public SafetensorsException(Path file, String tensor, String problem) {
    super(
        "malformed safetensors file "
            + file
            + (tensor == null ? "" : ", tensor '" + tensor + "'")
            + ": "
            + problem);
  }
}
