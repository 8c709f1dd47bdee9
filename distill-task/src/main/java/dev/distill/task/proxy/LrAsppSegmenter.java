package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A small semantic segmenter for UniDD segmentation guidance: a tiny conv backbone with an LR-ASPP
 * head (Howard et al., <a href="https://arxiv.org/abs/1905.02244">MobileNetV3</a>, §6.3), producing
 * per-pixel logits over background and K categories.
 *
 * <p>Backbone (width w, ReLU after each conv, no normalisation so that each sample's output depends
 * on that sample only): conv 3×3 C→w; conv 3×3 stride 2 w→2w (the 1/2 "low" features); conv 3×3
 * stride 2 2w→4w; conv 3×3 dilation 2 4w→4w (the 1/4 "high" features). Head: {@code relu(conv1×1
 * (high)) · sigmoid(conv1×1(mean_hw(high)))}, upsampled to 1/2, to logits by a 1×1 conv, plus a 1×1
 * conv of the low features; bilinear upsampling to the input size.
 *
 * <p>{@link #taskLoss}: per-pixel cross-entropy against each target's semantic mask (class 0 the
 * background, class k the category id k; pixels of value {@link Category#IGNORE} do not count),
 * averaged over each image's counted pixels and summed over the batch. The target mask is mapped
 * onto the proxy's input by the cover-crop geometry of {@link
 * dev.distill.core.data.ImageTransforms#fit}, nearest pixel.
 *
 * <p>Owns its parameters (float32 on the device of its {@link DeviceOptions}; convolutions run in
 * its dtype, logits are float32); close it. Not thread-safe.
 *
 * @since 0.1.0
 */
public final class LrAsppSegmenter extends ProxyNet {
  /** The {@code architecture} value in saved weights' metadata. */
  public static final String ARCHITECTURE = "lraspp-segmenter";

  private LrAsppSegmenter(ProxyNetConfig config, long seed, DeviceOptions device) {
    super(ARCHITECTURE, config, device);
    SplittableRandom rng = new SplittableRandom(seed);
    int w = config.netWidth();
    int k = config.numCategories() + 1;
    ProxyNets.registerConv(parameters, rng, "backbone.0", config.channels(), w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.1", w, 2 * w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.2", 2 * w, 4 * w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.3", 4 * w, 4 * w, 3);
    ProxyNets.registerConv(parameters, rng, "head.cbr", 4 * w, 2 * w, 1);
    ProxyNets.registerConv(parameters, rng, "head.scale", 4 * w, 2 * w, 1);
    ProxyNets.registerConv(parameters, rng, "head.high_classifier", 2 * w, k, 1);
    ProxyNets.registerConv(parameters, rng, "head.low_classifier", 2 * w, k, 1);
    parameters.placeOn(device);
  }

  /**
   * A freshly initialised segmenter on the CPU in float32.
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @return the segmenter; the caller closes it
   */
  public static LrAsppSegmenter of(ProxyNetConfig config, long seed) {
    return of(config, seed, DeviceOptions.cpu());
  }

  /**
   * A freshly initialised segmenter on a device (the same values as on the CPU).
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @param device where and in which precision it runs
   * @return the segmenter; the caller closes it
   * @throws IllegalStateException if the device is not available
   */
  public static LrAsppSegmenter of(ProxyNetConfig config, long seed, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(device, "device");
    return new LrAsppSegmenter(config, seed, device);
  }

  /**
   * Loads a segmenter written by {@link #save}.
   *
   * @param file a safetensors file with {@code architecture=lraspp-segmenter} and its config
   * @param device where and in which precision it runs
   * @return the segmenter; the caller closes it
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a segmenter file or its tensors do not match
   */
  public static LrAsppSegmenter load(Path file, DeviceOptions device) throws IOException {
    checkNotNull(device, "device");
    return ProxyNet.load(file, ARCHITECTURE, c -> new LrAsppSegmenter(c, 0, device));
  }

  /**
   * Per-pixel logits.
   *
   * @param images {@code [N, C, H, W]} float in {@code [-1, 1]}, any size (fitted to the input)
   * @return {@code [N, K + 1, imageHeight, imageWidth]} float32 on the device, channel 0 the
   *     background, channel k category k; owned by the caller's current scope
   */
  public Tensor logits(Tensor images) {
    Tensor x = ProxyNets.input(images, config, device);
    Tensor h = torch.relu(ProxyNets.conv(x, parameters, "backbone.0", 1, 1));
    Tensor low = torch.relu(ProxyNets.conv(h, parameters, "backbone.1", 2, 1));
    h = torch.relu(ProxyNets.conv(low, parameters, "backbone.2", 2, 1));
    Tensor high = torch.relu(ProxyNets.conv(h, parameters, "backbone.3", 1, 2));
    Tensor cbr = torch.relu(ProxyNets.conv(high, parameters, "head.cbr", 1, 1));
    Tensor pooled = high.mean(new long[] {2, 3}, true, new ScalarTypeOptional());
    Tensor scale = torch.sigmoid(ProxyNets.conv(pooled, parameters, "head.scale", 1, 1));
    Tensor y = ProxyNets.upsample(cbr.mul(scale), low.size(2), low.size(3));
    Tensor out =
        ProxyNets.conv(y, parameters, "head.high_classifier", 1, 1)
            .add(ProxyNets.conv(low, parameters, "head.low_classifier", 1, 1));
    out = ProxyNets.upsample(out, config.imageHeight(), config.imageWidth());
    return out.to(ScalarType.Float);
  }

  @Override
  public Tensor taskLoss(Tensor images, List<ImageAnnotations> targets) {
    ProxyNets.checkTargets(images, targets, config.numCategories());
    return loss(images, targetTensors(targets));
  }

  /** Rasterises the target masks once (labels, valid pixels) for the prepared-target loss. */
  @Override
  public PreparedTargets prepare(List<ImageAnnotations> targets) {
    ProxyNets.checkCategories(targets, config.numCategories());
    try (TensorScope scope = TensorScope.open()) {
      List<Tensor> t = new ArrayList<>();
      for (Tensor x : targetTensors(targets)) {
        t.add(scope.detach(x));
      }
      return new PreparedTargets(this, targets, t);
    }
  }

  @Override
  public Tensor taskLoss(Tensor images, PreparedTargets targets) {
    checkNotNull(targets, "targets");
    List<Tensor> t = targets.tensors(this);
    ProxyNets.checkCount(images, targets.size());
    return loss(images, t);
  }

  /** Labels {@code [N, 1, H, W]} and valid pixels on the device, in the current scope. */
  private List<Tensor> targetTensors(List<ImageAnnotations> targets) {
    int n = targets.size();
    int hh = config.imageHeight();
    int ww = config.imageWidth();
    long[] labels = new long[n * hh * ww];
    float[] valid = new float[n * hh * ww];
    for (int i = 0; i < n; i++) {
      rasterise(targets.get(i), i, labels, valid);
    }
    return List.of(
        device.place(Tensors.fromLongs(labels, n, 1, hh, ww)),
        device.placeFloat(Tensors.fromFloats(valid, n, 1, hh, ww)));
  }

  private Tensor loss(Tensor images, List<Tensor> t) {
    Tensor logp = torch.log_softmax(logits(images), 1);
    Tensor y = t.get(0);
    Tensor v = t.get(1);
    Tensor nll = logp.gather(1, y).neg().mul(v); // [N, 1, H, W]
    Tensor perImage = nll.sum(new long[] {1, 2, 3}, false, new ScalarTypeOptional());
    Tensor counts = v.sum(new long[] {1, 2, 3}, false, new ScalarTypeOptional()).clamp_min(one());
    return perImage.div(counts).sum();
  }

  private static org.bytedeco.pytorch.Scalar one() {
    return Tensors.scalar(1.0);
  }

  /** The target semantic mask of image {@code i} on the input grid (nearest, cover-crop). */
  private void rasterise(ImageAnnotations target, int i, long[] labels, float[] valid) {
    checkArgument(
        target.semanticMask().isPresent(), "targets[%s] must have a semantic mask but had none", i);
    Mask m = target.semanticMask().get();
    int hh = config.imageHeight();
    int ww = config.imageWidth();
    double[] g = ProxyNets.cover(m.height(), m.width(), hh, ww);
    int base = i * hh * ww;
    for (int v = 0; v < hh; v++) {
      int sy = clamp((int) Math.floor((v + g[2] + 0.5) / g[0]), m.height());
      for (int u = 0; u < ww; u++) {
        int sx = clamp((int) Math.floor((u + g[3] + 0.5) / g[1]), m.width());
        int value = m.get(sx, sy);
        if (value == Category.IGNORE) {
          continue;
        }
        checkArgument(
            value <= config.numCategories(),
            "targets[%s].semanticMask must hold ids in [0, %s] or %s but had %s",
            i,
            config.numCategories(),
            Category.IGNORE,
            value);
        labels[base + v * ww + u] = value;
        valid[base + v * ww + u] = 1f;
      }
    }
  }

  private static int clamp(int v, int size) {
    return Math.max(0, Math.min(size - 1, v));
  }

  /**
   * Predicted semantic masks (argmax of the logits), in each image's own pixel frame (mapped back
   * from the input grid by the inverse cover-crop geometry, nearest pixel).
   *
   * @param images {@code [N, C, H, W]} float in {@code [-1, 1]}
   * @return N masks of {@code W × H} with values {@code 0..K}
   */
  public List<Mask> segment(Tensor images) {
    checkNotNull(images, "images");
    int h = Math.toIntExact(images.size(2));
    int w = Math.toIntExact(images.size(3));
    int hh = config.imageHeight();
    int ww = config.imageWidth();
    long[] arg;
    try (TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      arg = Tensors.toLongs(logits(images).argmax(new LongOptional(1), false).cpu());
    }
    double[] g = ProxyNets.cover(h, w, hh, ww);
    List<Mask> out = new ArrayList<>();
    for (int i = 0; i < images.size(0); i++) {
      byte[] m = new byte[h * w];
      for (int y = 0; y < h; y++) {
        int v = clamp((int) Math.floor((y + 0.5) * g[0] - g[2]), hh);
        for (int x = 0; x < w; x++) {
          int u = clamp((int) Math.floor((x + 0.5) * g[1] - g[3]), ww);
          m[y * w + x] = (byte) arg[(i * hh + v) * ww + u];
        }
      }
      out.add(Mask.ofBytes(w, h, m));
    }
    return out;
  }
}
