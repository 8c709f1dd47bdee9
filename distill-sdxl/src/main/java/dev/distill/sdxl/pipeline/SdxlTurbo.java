package dev.distill.sdxl.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Conditioning;
import dev.distill.api.ImageSize;
import dev.distill.api.SampleRequest;
import dev.distill.core.config.JsonConfig;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.Schedulers;
import java.util.List;
import java.util.Map;

/**
 * The SDXL-Turbo preset (diffusers' sdxl_turbo docs): Euler ancestral with {@code
 * timestep_spacing="trailing"}, 1–4 steps, no classifier-free guidance (scale 0), 512×512 images.
 * Turbo has the same architecture as SDXL, so any SDXL-Turbo folder loads with {@link
 * SdxlPipeline#load}; this class only sets the sampling recipe.
 *
 * @since 0.1.0
 */
public final class SdxlTurbo {
  /** The image size Turbo was trained at. */
  public static final int IMAGE_SIZE = 512;

  private SdxlTurbo() {}

  /**
   * A sampler with Turbo's scheduler (Euler ancestral, trailing spacing) built from the pipeline's
   * own scheduler config, generating at {@link #IMAGE_SIZE}² unless a request (or {@code
   * Distill.imageSize}) sets another size.
   *
   * @param pipeline an SDXL(-Turbo) pipeline
   * @return the sampler
   */
  public static SdxlSampler sampler(SdxlPipeline pipeline) {
    checkNotNull(pipeline, "pipeline");
    JsonConfig config =
        JsonConfig.parse("scheduler of " + pipeline.dir(), pipeline.scheduler().config().toJson());
    Scheduler scheduler =
        Schedulers.fromConfig(
            config, "EulerAncestralDiscreteScheduler", Map.of("timestep_spacing", "trailing"));
    return pipeline.sampler().withScheduler(scheduler).withImageSize(ImageSize.square(IMAGE_SIZE));
  }

  /**
   * A Turbo request: {@code numSteps} in 1–4, guidance scale 0, 512×512.
   *
   * @param conditionings one per image (prompts)
   * @param numSteps 1 to 4
   * @return the builder, to add seeds or guidance terms
   */
  public static SampleRequest.Builder request(List<Conditioning> conditionings, int numSteps) {
    checkArgument(
        numSteps >= 1 && numSteps <= 4,
        "numSteps must be in [1, 4] for Turbo but was %s",
        numSteps);
    return SampleRequest.builder(conditionings)
        .numSteps(numSteps)
        .guidanceScale(0.0)
        .imageSize(IMAGE_SIZE, IMAGE_SIZE);
  }
}
