package dev.distill.api;

/**
 * Trains a student on a {@link DistilledSet} with a {@link Matcher} and measures it on real data.
 *
 * <p>Implementations pin their protocol (optimiser, epochs, augmentation, seeds) and write it into
 * the {@link EvalReport}. Not thread-safe.
 *
 * @since 0.1.0
 */
public interface Evaluator {

  /**
   * Trains and evaluates.
   *
   * @param set the training set (not closed by this method)
   * @param matcher the training loss
   * @param listener progress over seeds and epochs
   * @return the report
   */
  EvalReport evaluate(DistilledSet set, Matcher matcher, ProgressListener listener);
}
