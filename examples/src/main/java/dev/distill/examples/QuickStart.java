package dev.distill.examples;

/** The quick start: distils Fashion-MNIST with the built-in model (not yet implemented). */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Entry point.
   *
   * @param args {@code --out DIR --ipc N}
   */
  public static void main(String[] args) {
    System.out.println("distill QuickStart: not yet — the distillation methods land with issue 5.");
  }
}
