package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.sdxl.pipeline.SdxlRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The diffusers call arguments of one golden parity case (the JSON object in the metadata entry
 * {@code <case>.kwargs}) turned into an {@link SdxlRequest}.
 *
 * <p>Every key is either applied exactly as diffusers v0.27.2 applies it in {@code
 * StableDiffusionXLPipeline.__call__} or {@code StableDiffusionXLImg2ImgPipeline.__call__}, or
 * rejected with an {@link IllegalArgumentException} naming the key and the case; an unknown key
 * never passes silently (diffusers would swallow it into {@code **kwargs}). Supported keys: {@code
 * prompt}, {@code prompt_2}, {@code negative_prompt}, {@code negative_prompt_2} (a string or one
 * string per image), {@code num_inference_steps}, {@code guidance_scale}, {@code guidance_rescale},
 * the micro-conditioning {@code original_size}, {@code crops_coords_top_left}, {@code target_size}
 * and their {@code negative_*} counterparts, {@code output_type} ({@code "latent"} or {@code
 * "pt"}), {@code eta} (0 only), {@code num_images_per_prompt} (1 only), {@code return_dict}, the
 * optional arguments whose default is {@code None} when they are {@code null} ({@code clip_skip},
 * {@code denoising_end}, {@code timesteps}, {@code cross_attention_kwargs}, {@code
 * ip_adapter_image}, {@code ip_adapter_image_embeds}, {@code denoising_start}); text-to-image also
 * {@code height}, {@code width}; img2img also {@code strength}.
 *
 * <p>The negative micro-conditioning follows each pipeline's own rule. Text-to-image uses {@code
 * negative_original_size}, {@code negative_crops_coords_top_left} (default (0, 0)) and {@code
 * negative_target_size} only when both sizes are given, else the negative time ids are the positive
 * ones; and since it tiles the [negative, positive] pair over the batch (rows do not line up with
 * the [negatives; positives] embeddings when there is more than one image), distinct negative time
 * ids with more than one image are rejected. img2img (with {@code requires_aesthetics_score} false)
 * defaults each negative size to the positive one and always takes the negative crop from {@code
 * crops_coords_top_left}, so {@code negative_crops_coords_top_left} has no effect there.
 *
 * <p>Not part of the public API and not thread-safe: {@link #builder()} hands out the request
 * builder for the caller to complete (latents, noise, scheduler, img2img image).
 */
final class PipelineKwargs {
  /** Which diffusers pipeline a case calls. */
  enum Kind {
    TEXT_TO_IMAGE("StableDiffusionXLPipeline", Set.of("height", "width")),
    IMAGE_TO_IMAGE("StableDiffusionXLImg2ImgPipeline", Set.of("strength"));

    private final String diffusersClass;
    private final Set<String> ownKeys;

    Kind(String diffusersClass, Set<String> ownKeys) {
      this.diffusersClass = diffusersClass;
      this.ownKeys = ownKeys;
    }
  }

  /** What the pipeline returns; the fixture's outputs that can be compared. */
  enum OutputType {
    /** No {@code output_type} key: the fixture holds both the latents and the decoded image. */
    LATENT_AND_PT,
    /** {@code output_type="latent"}: the latents only. */
    LATENT,
    /** {@code output_type="pt"}: the decoded image in [0, 1] (latents too, if stored). */
    PT
  }

  private static final Set<String> COMMON_KEYS =
      Set.of(
          "prompt",
          "prompt_2",
          "negative_prompt",
          "negative_prompt_2",
          "num_inference_steps",
          "guidance_scale",
          "guidance_rescale",
          "original_size",
          "crops_coords_top_left",
          "target_size",
          "negative_original_size",
          "negative_crops_coords_top_left",
          "negative_target_size",
          "output_type",
          "eta",
          "num_images_per_prompt",
          "return_dict");

  /** Optional diffusers arguments (default {@code None}) accepted only as {@code null}. */
  private static final Set<String> NULL_ONLY_KEYS =
      Set.of(
          "clip_skip",
          "denoising_end",
          "denoising_start",
          "timesteps",
          "cross_attention_kwargs",
          "ip_adapter_image",
          "ip_adapter_image_embeds");

  private final String caseName;
  private final Kind kind;
  private final JsonNode kwargs;
  private final SdxlRequest.Builder builder;
  private final double guidanceScale;
  private final int numSteps;
  private final double strength;
  private final OutputType outputType;

  private PipelineKwargs(
      String caseName, Kind kind, JsonNode kwargs, int batchSize, int defaultSize) {
    this.caseName = caseName;
    this.kind = kind;
    this.kwargs = kwargs;
    rejectUnknownKeys();
    for (String key : NULL_ONLY_KEYS) {
      if (kwargs.has(key) && !kwargs.get(key).isNull()) {
        throw reject(key, "is only supported with its default None");
      }
    }
    List<String> prompts = strings("prompt", batchSize, false);
    checkArgument(
        prompts != null,
        "pipeline case '%s': kwarg 'prompt' must be a string or a list of strings but was %s",
        caseName,
        kwargs.get("prompt"));
    this.builder = SdxlRequest.builder(prompts);
    this.guidanceScale = number("guidance_scale", 5.0);
    this.numSteps = integer("num_inference_steps", 50);
    if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
      throw reject("guidance_scale", "must be finite and >= 0");
    }
    if (numSteps < 1) {
      throw reject("num_inference_steps", "must be >= 1");
    }
    double rescale = number("guidance_rescale", 0.0);
    if (!(rescale >= 0 && rescale <= 1)) {
      throw reject("guidance_rescale", "must be in [0, 1]");
    }
    builder.guidanceScale(guidanceScale).numSteps(numSteps).guidanceRescale(rescale);
    List<String> prompts2 = strings("prompt_2", batchSize, true);
    if (prompts2 != null) {
      builder.prompts2(prompts2);
    }
    List<String> negatives = strings("negative_prompt", batchSize, false);
    if (negatives != null) {
      builder.negativePrompts(negatives);
    }
    List<String> negatives2 = strings("negative_prompt_2", batchSize, true);
    if (negatives2 != null) {
      builder.negativePrompts2(negatives2);
    }
    if (number("eta", 0.0) != 0.0) {
      throw reject("eta", "must be 0 (DDIM's variance noise is not part of the fixture layout)");
    }
    if (integer("num_images_per_prompt", 1) != 1) {
      throw reject("num_images_per_prompt", "must be 1 (one latents_in row per image)");
    }
    if (kwargs.has("return_dict") && !kwargs.get("return_dict").isBoolean()) {
      throw reject("return_dict", "must be a boolean");
    }
    this.outputType = parseOutputType();
    builder.decode(outputType != OutputType.LATENT);
    int[] imageSize = null;
    if (kind == Kind.TEXT_TO_IMAGE) {
      // diffusers: height = height or default_sample_size * vae_scale_factor
      int height = integer("height", 0);
      int width = integer("width", 0);
      if (height < 0 || width < 0) {
        throw reject(height < 0 ? "height" : "width", "must be positive");
      }
      imageSize = new int[] {height > 0 ? height : defaultSize, width > 0 ? width : defaultSize};
      builder.imageSize(imageSize[0], imageSize[1]);
      this.strength = Double.NaN;
    } else {
      this.strength = number("strength", 0.3);
      if (!(strength > 0 && strength <= 1)) {
        throw reject("strength", "must be in (0, 1]");
      }
    }
    microConditioning(batchSize, imageSize);
  }

  /**
   * Parses a case's kwargs.
   *
   * @param caseName the case, for error messages
   * @param kind which diffusers pipeline the case calls
   * @param kwargsJson the JSON object of {@code <case>.kwargs}
   * @param batchSize the number of images ({@code latents_in} or {@code image} rows)
   * @param defaultSize the pipeline's default image size ({@code sample_size} × VAE factor)
   * @return the parsed arguments
   * @throws IllegalArgumentException naming the key and the case if a key is unknown, has a value
   *     diffusers would not accept, or asks for behaviour the parity runner does not reproduce
   */
  static PipelineKwargs parse(
      String caseName, Kind kind, JsonNode kwargsJson, int batchSize, int defaultSize) {
    checkNotNull(caseName, "caseName");
    checkNotNull(kind, "kind");
    checkArgument(
        kwargsJson != null && kwargsJson.isObject(),
        "pipeline case '%s': kwargs must be a JSON object but was %s",
        caseName,
        kwargsJson);
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    return new PipelineKwargs(caseName, kind, kwargsJson, batchSize, defaultSize);
  }

  /** The request builder with every kwarg applied (the caller adds latents, noise, scheduler). */
  SdxlRequest.Builder builder() {
    return builder;
  }

  /** {@code guidance_scale}. */
  double guidanceScale() {
    return guidanceScale;
  }

  /** {@code num_inference_steps}. */
  int numSteps() {
    return numSteps;
  }

  /** img2img {@code strength} (NaN for text-to-image). */
  double strength() {
    return strength;
  }

  /** What the case's pipeline call returned. */
  OutputType outputType() {
    return outputType;
  }

  private void rejectUnknownKeys() {
    Iterator<String> names = kwargs.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      if (!COMMON_KEYS.contains(key)
          && !NULL_ONLY_KEYS.contains(key)
          && !kind.ownKeys.contains(key)) {
        TreeSet<String> supported = new TreeSet<>(COMMON_KEYS);
        supported.addAll(NULL_ONLY_KEYS);
        supported.addAll(kind.ownKeys);
        throw reject(
            key,
            "is not an argument of "
                + kind.diffusersClass
                + " that the parity runner applies"
                + " (supported: "
                + supported
                + ")");
      }
    }
  }

  /** Applies the six micro-conditioning keys; {@code imageSize} is null for img2img. */
  private void microConditioning(int batchSize, int[] imageSize) {
    int[] original = pair("original_size", true, 1);
    int[] crops = pair("crops_coords_top_left", false, 0);
    int[] target = pair("target_size", true, 1);
    if (original != null) {
      builder.originalSize(original[0], original[1]);
    }
    builder.cropsTopLeft(crops[0], crops[1]);
    if (target != null) {
      builder.targetSize(target[0], target[1]);
    }
    int[] negOriginal = pair("negative_original_size", true, 1);
    int[] negCrops = pair("negative_crops_coords_top_left", false, 0);
    int[] negTarget = pair("negative_target_size", true, 1);
    if (kind == Kind.TEXT_TO_IMAGE) {
      if (negOriginal == null || negTarget == null) {
        return; // diffusers: negative_add_time_ids = add_time_ids
      }
      builder.negativeOriginalSize(negOriginal[0], negOriginal[1]);
      builder.negativeCropsTopLeft(negCrops[0], negCrops[1]);
      builder.negativeTargetSize(negTarget[0], negTarget[1]);
      if (batchSize > 1 && guidanceScale > 1.0) {
        boolean same =
            Arrays.equals(negOriginal, original != null ? original : imageSize)
                && Arrays.equals(negCrops, crops)
                && Arrays.equals(negTarget, target != null ? target : imageSize);
        if (!same) {
          throw reject(
              "negative_original_size",
              "with distinct negative time ids and "
                  + batchSize
                  + " images is not reproduced:"
                  + " diffusers tiles the [negative, positive] rows over the batch");
        }
      }
    } else {
      // img2img without aesthetic score: negative sizes default to the positive ones and the
      // negative crop is crops_coords_top_left (negative_crops_coords_top_left is not read)
      if (negOriginal != null) {
        builder.negativeOriginalSize(negOriginal[0], negOriginal[1]);
      }
      if (negTarget != null) {
        builder.negativeTargetSize(negTarget[0], negTarget[1]);
      }
    }
  }

  private OutputType parseOutputType() {
    JsonNode v = kwargs.get("output_type");
    if (v == null) {
      return OutputType.LATENT_AND_PT;
    }
    if (v.isTextual() && v.asText().equals("latent")) {
      return OutputType.LATENT;
    }
    if (v.isTextual() && v.asText().equals("pt")) {
      return OutputType.PT;
    }
    throw reject("output_type", "must be \"latent\" or \"pt\"");
  }

  /**
   * A string or one string per image; {@code null} (and, where {@code emptyIsNone}, Python-falsy
   * {@code ""} / {@code []}, which diffusers replaces with its fallback) gives null.
   */
  private List<String> strings(String key, int batchSize, boolean emptyIsNone) {
    JsonNode v = kwargs.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      if (emptyIsNone && v.asText().isEmpty()) {
        return null;
      }
      return Collections.nCopies(batchSize, v.asText());
    }
    if (v.isArray()) {
      if (emptyIsNone && v.isEmpty()) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw reject(key, "must be a string or a list of strings");
        }
        out.add(e.asText());
      }
      if (out.size() != batchSize) {
        throw reject(key, "must have one entry per image (" + batchSize + ")");
      }
      return out;
    }
    throw reject(key, "must be a string or a list of strings");
  }

  /**
   * A pair of integers {@code [a, b]}, each {@code >= min}; {@code null} (and, for sizes, which
   * diffusers defaults with Python's {@code or}, {@code []}) gives null; for crops null is rejected
   * and absence means (0, 0).
   */
  private int[] pair(String key, boolean nullable, int min) {
    JsonNode v = kwargs.get(key);
    if (v == null) {
      return nullable ? null : new int[] {0, 0};
    }
    if (v.isNull() || (v.isArray() && v.isEmpty() && nullable && !key.startsWith("negative_"))) {
      if (nullable) {
        return null;
      }
      throw reject(key, "must be a pair [a, b] (diffusers has no None default for it)");
    }
    if (!v.isArray() || v.size() != 2 || !isInteger(v.get(0)) || !isInteger(v.get(1))) {
      throw reject(key, "must be a pair of integers [a, b]");
    }
    int a = v.get(0).asInt();
    int b = v.get(1).asInt();
    if (a < min || b < min) {
      throw reject(key, "must have values >= " + min);
    }
    return new int[] {a, b};
  }

  private static boolean isInteger(JsonNode v) {
    return v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
  }

  private double number(String key, double defaultValue) {
    JsonNode v = kwargs.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!v.isNumber()) {
      throw reject(key, "must be a number");
    }
    return v.asDouble();
  }

  private int integer(String key, int defaultValue) {
    JsonNode v = kwargs.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isIntegralNumber()) {
      throw reject(key, "must be an integer");
    }
    return v.asInt();
  }

  private IllegalArgumentException reject(String key, String problem) {
    return new IllegalArgumentException(
        String.format(
            "pipeline case '%s': kwarg '%s' %s but was %s",
            caseName, key, problem, kwargs.get(key)));
  }
}
