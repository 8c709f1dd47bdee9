package dev.distill.examples.cli;

/**
 * The work behind a subcommand, given its checked options.
 *
 * <p>The CLI binds the real work (e.g. {@code QuickStart::run}); tests bind a recorder, so the
 * parsing is tested without running anything heavy.
 *
 * @param <O> the options record
 * @since 0.1.0
 */
@FunctionalInterface
public interface Job<O> {
  /**
   * Does the work.
   *
   * @param options the checked options
   * @return the process exit status (0 on success)
   * @throws Exception if the work fails; the CLI prints its message and exits 1
   */
  int run(O options) throws Exception;

  /**
   * A job that returns 0 after {@code work}.
   *
   * @param work the work
   * @param <O> the options record
   * @return the job
   */
  static <O> Job<O> of(Work<O> work) {
    return options -> {
      work.run(options);
      return 0;
    };
  }

  /**
   * Work without an exit status of its own.
   *
   * @param <O> the options record
   */
  @FunctionalInterface
  interface Work<O> {
    /**
     * Does the work.
     *
     * @param options the checked options
     * @throws Exception if the work fails
     */
    void run(O options) throws Exception;
  }
}
