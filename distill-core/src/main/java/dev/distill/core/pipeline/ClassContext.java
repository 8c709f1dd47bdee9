package dev.distill.core.pipeline;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ProgressListener;
import dev.distill.api.Sampler;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * Everything a {@link DistillMethod} may use for one class.
 *
 * <p>The real images are borrowed: owned by the pipeline, valid during {@link
 * DistillMethod#prepare} and the generator's use.
 *
 * @param classId the class index
 * @param className the class name
 * @param realImages the class's real training images {@code [n, C, H, W]} float32 CPU in [-1, 1]
 * @param ipc images per class to produce
 * @param runSeed the run seed
 * @param sampler the generator model, if the run has one
 * @param conditioning the class's conditioning (class id, label prompt, negative prompt)
 * @param numSteps sampler steps
 * @param guidanceScale classifier-free guidance scale
 * @param batchSize the largest sampler batch
 * @param extraGuidance guidance terms added to every batch (e.g. regularisers)
 * @param listener progress of this class's work
 * @since 0.1.0
 */
public record ClassContext(
    int classId,
    String className,
    Tensor realImages,
    int ipc,
    long runSeed,
    Optional<Sampler> sampler,
    Conditioning conditioning,
    int numSteps,
    double guidanceScale,
    int batchSize,
    List<GuidanceTerm> extraGuidance,
    ProgressListener listener) {

  /** Copies the list. */
  public ClassContext {
    extraGuidance = List.copyOf(extraGuidance);
  }

  /**
   * The seed of sample {@code index} of this class: a SplitMix64 mix of (run seed, class, index),
   * independent of batch composition and of which classes a process runs.
   *
   * @param index the sample index
   * @return its seed
   */
  public long sampleSeed(int index) {
    return Seeds.sampleSeed(runSeed, classId, index);
  }

  /**
   * The sampler, which generative methods require.
   *
   * @return the sampler
   * @throws IllegalStateException if the run has none
   */
  public Sampler requireSampler() {
    return sampler.orElseThrow(
        () ->
            new IllegalStateException(
                "sampler must be set (Distill.sampler(...)) for a generative method but was not"));
  }
}
