package dev.distill.core.filter;

/**
 * Why a filter dropped a sample; the counts per reason go into the run report.
 *
 * @since 0.1.0
 */
public enum DropReason {
  /** Perceptual hash within the Hamming threshold of a reference (evaluation) image. */
  LEAK_PERCEPTUAL_HASH(Offender.REFERENCE),
  /** Embedding cosine similarity at or above the threshold with a reference image. */
  LEAK_EMBEDDING(Offender.REFERENCE),
  /** Perceptual hash within the Hamming threshold of an earlier kept sample of the same set. */
  DUPLICATE_PERCEPTUAL_HASH(Offender.SAMPLE),
  /** Embedding cosine similarity at or above the threshold with an earlier kept sample. */
  DUPLICATE_EMBEDDING(Offender.SAMPLE),
  /** The proxy's probability for the sample's own class is below the threshold. */
  LOW_CONFIDENCE(Offender.CLASS),
  /** The proxy confidently predicts another class (ALIA's rule). */
  CONFIDENTLY_WRONG(Offender.CLASS);

  /** What {@link DroppedSample#offender()} indexes for a reason. */
  public enum Offender {
    /** An index into the reference (evaluation) set. */
    REFERENCE,
    /** An index into the filtered set itself. */
    SAMPLE,
    /** A class id (the proxy's prediction). */
    CLASS
  }

  private final Offender offender;

  DropReason(Offender offender) {
    this.offender = offender;
  }

  /** What the offender index of a sample dropped for this reason refers to. */
  public Offender offender() {
    return offender;
  }
}
