package dev.distill.core.internal;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.Sampler;
import dev.distill.core.data.Dataset;
import dev.distill.core.data.ImageTransforms;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * Everything a {@link DistillMethod} may use for one class.
 *
 * <p>Unsupported internal type (see {@link dev.distill.core.internal}): built only by {@code
 * Distill}, read by the library's methods; it may change in any release.
 *
 * <p>The real images are not loaded up front: {@link #data()} streams them ({@link #realBatches()},
 * {@link #realImages(int[])}) at the dataset's size, and {@link #forEncoder} brings a batch to the
 * sampler's generation size and channels (the one resolution policy, {@link ImageTransforms}).
 * Methods return images at the generation size (or, for selections, the dataset's size); {@code
 * Distill} brings them to the output size.
 *
 * @param classId the class index
 * @param className the class's display name
 * @param data the real training data (borrowed; only this class is read)
 * @param ipc images per class to produce
 * @param runSeed the run seed
 * @param sampler the generator model, if the run has one
 * @param prompts the class's candidate prompts (text-conditioned samplers), at least one
 * @param negativePrompt the run's negative prompt (possibly empty)
 * @param generationSize the size the sampler generates at
 * @param resizeMode how images change size on the way in and out
 * @param numSteps sampler steps
 * @param guidanceScale classifier-free guidance scale
 * @param batchSize the largest sampler / encoder batch
 * @param extraGuidance guidance terms added to every batch (e.g. regularisers)
 * @param listener progress of this class's work
 */
public record ClassContext(
    int classId,
    String className,
    Dataset data,
    int ipc,
    long runSeed,
    Optional<Sampler> sampler,
    List<String> prompts,
    String negativePrompt,
    ImageSize generationSize,
    ResizeMode resizeMode,
    int numSteps,
    double guidanceScale,
    int batchSize,
    List<GuidanceTerm> extraGuidance,
    ProgressListener listener) {

  /** Validates and copies the lists. */
  public ClassContext {
    prompts = List.copyOf(prompts);
    checkArgument(!prompts.isEmpty(), "prompts must not be empty for class %s", classId);
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
   * The prompt of sample {@code index}: the candidate picked by the sample's seed.
   *
   * @param index the sample index
   * @return the prompt
   */
  public String prompt(int index) {
    if (prompts.size() == 1) {
      return prompts.get(0);
    }
    long h = Seeds.mix(sampleSeed(index) ^ 0x5DEECE66DL);
    return prompts.get((int) Math.floorMod(h, (long) prompts.size()));
  }

  /**
   * The conditioning of sample {@code index}: the class, its prompt, the negative prompt.
   *
   * @param index the sample index
   * @return the conditioning
   */
  public Conditioning conditioning(int index) {
    return new Conditioning(classId, prompt(index), negativePrompt);
  }

  /**
   * A copy with another negative prompt (D4M's default on text models).
   *
   * @param negative the negative prompt
   * @return the copy
   */
  public ClassContext withNegativePrompt(String negative) {
    return new ClassContext(
        classId,
        className,
        data,
        ipc,
        runSeed,
        sampler,
        prompts,
        negative,
        generationSize,
        resizeMode,
        numSteps,
        guidanceScale,
        batchSize,
        extraGuidance,
        listener);
  }

  /** The number of real images of the class. */
  public int realCount() {
    return data.classSize(classId);
  }

  /**
   * Decodes some of the class's real images at the dataset's size.
   *
   * @param positions positions within the class
   * @return {@code [n, C, H, W]} in the caller's scope
   */
  public Tensor realImages(int[] positions) {
    return data.load(classId, positions);
  }

  /** The class's real images in batches of {@link #batchSize()}, decoded lazily. */
  public Iterable<Tensor> realBatches() {
    return data.batches(classId, batchSize);
  }

  /**
   * Brings real images to the generator's input: {@link #generationSize()} and the sampler's
   * channels, with {@link #resizeMode()}.
   *
   * @param images {@code [n, C, H, W]} at the dataset's size
   * @return {@code [n, C', H', W']} ready for the sampler's latent encoder
   */
  public Tensor forEncoder(Tensor images) {
    return ImageTransforms.fit(
        images, generationSize, requireSampler().imageChannels(), resizeMode);
  }

  /**
   * A request for samples {@code first .. first + count - 1}: their conditionings and seeds, the
   * run's steps, CFG scale, generation size and extra guidance terms; the method adds its part
   * (init latents, its guidance term).
   *
   * @param first the first sample index
   * @param count how many
   * @return the builder
   */
  public SampleRequest.Builder request(int first, int count) {
    return request(first, count, this::conditioning);
  }

  /**
   * A sample request as {@link #request(int, int)} with each sample's conditioning made by a method
   * (e.g. the class's conditioning plus a target layout).
   *
   * @param first the first sample index
   * @param count how many
   * @param conditioning the conditioning of sample index {@code i}
   * @return the builder
   */
  public SampleRequest.Builder request(
      int first, int count, java.util.function.IntFunction<Conditioning> conditioning) {
    List<Conditioning> conds = new ArrayList<>(count);
    List<Long> seeds = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      conds.add(conditioning.apply(first + i));
      seeds.add(sampleSeed(first + i));
    }
    return SampleRequest.builder(conds)
        .seeds(seeds)
        .numSteps(numSteps)
        .guidanceScale(guidanceScale)
        .imageSize(generationSize)
        .guidance(extraGuidance);
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
