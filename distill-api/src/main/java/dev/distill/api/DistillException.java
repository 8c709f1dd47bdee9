package dev.distill.api;

/**
 * A failure that is not the caller's fault: a native LibTorch error, a numerical breakdown (NaN in
 * guidance), an I/O problem deep inside a long run.
 *
 * <p>Native errors are wrapped with the name of the operation that raised them.
 *
 * @since 0.1.0
 */
public class DistillException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong, naming the operation and the bad value
   */
  public DistillException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong, naming the operation
   * @param cause the underlying (often native) error
   */
  public DistillException(String message, Throwable cause) {
    super(message, cause);
  }
}
