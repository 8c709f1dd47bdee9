package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.task.metric.Detection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A small anchor-free detector for UniDD detection guidance, CenterNet-style (Zhou et al., <a
 * href="https://arxiv.org/abs/1904.07850">Objects as Points</a>): at stride 4, a per-category
 * centre heatmap and a per-location box regression (width, height and the sub-cell centre offset,
 * in cells of 4 input pixels).
 *
 * <p>Backbone (width w, ReLU after each conv, no normalisation so that each sample's output depends
 * on that sample only): conv 3×3 C→w; conv 3×3 stride 2 w→2w; conv 3×3 stride 2 2w→4w; conv 3×3
 * 4w→4w; conv 3×3 dilation 2 4w→4w. Heads: conv 3×3 4w→4w, ReLU, conv 1×1 to K heatmap logits (bias
 * −2.19, CenterNet's prior 0.1); conv 3×3 4w→4w, ReLU, conv 1×1 to 4 regression channels.
 *
 * <p>{@link #taskLoss}, per image, with the target boxes mapped onto the input by the cover-crop
 * geometry of {@link dev.distill.core.data.ImageTransforms#fit}: object j of category k has its
 * centre cell c<sub>j</sub> = ⌊centre / 4⌋; the target heatmap Y<sub>k</sub> is the maximum over
 * the category's objects of {@code exp(−|p − c_j|² / 2σ_j²)} with σ<sub>j</sub> = max(0.5,
 * √(w<sub>j</sub>h<sub>j</sub>)/6) (w, h in cells), exactly 1 at the centres. With p = sigmoid of
 * the heatmap logits and M = max(1, number of objects): {@code L = L_focal + 0.1 · L_size +
 * L_offset}, where {@code L_focal = −(1/M) Σ [Y=1] (1−p)² log p + [Y<1] (1−Y)⁴ p² log(1−p)} (the
 * penalty-reduced focal loss, α = 2, β = 4), {@code L_size = (1/M) Σ_j |ŵ − w_j| + |ĥ − h_j|} and
 * {@code L_offset = (1/M) Σ_j |ô − o_j|₁} read at the centre cells (an object sharing a centre cell
 * with a later-painted one is replaced by it). The batch loss is the sum over images.
 *
 * <p>Owns its parameters (float32 on its device; convolutions in its dtype; outputs float32); close
 * it. Not thread-safe.
 *
 * @since 0.1.0
 */
public final class CenterNetDetector extends ProxyNet {
  /** The {@code architecture} value in saved weights' metadata. */
  public static final String ARCHITECTURE = "centernet-detector";

  /** The output stride in input pixels. */
  public static final int STRIDE = 4;

  private static final double SIZE_WEIGHT = 0.1;
  private static final float PRIOR_BIAS = -2.19f;

  private CenterNetDetector(ProxyNetConfig config, long seed, DeviceOptions device) {
    super(ARCHITECTURE, config, device);
    SplittableRandom rng = new SplittableRandom(seed);
    int w = config.netWidth();
    ProxyNets.registerConv(parameters, rng, "backbone.0", config.channels(), w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.1", w, 2 * w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.2", 2 * w, 4 * w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.3", 4 * w, 4 * w, 3);
    ProxyNets.registerConv(parameters, rng, "backbone.4", 4 * w, 4 * w, 3);
    ProxyNets.registerConv(parameters, rng, "heatmap.0", 4 * w, 4 * w, 3);
    ProxyNets.registerConv(
        parameters, rng, "heatmap.1", 4 * w, config.numCategories(), 1, PRIOR_BIAS);
    ProxyNets.registerConv(parameters, rng, "box.0", 4 * w, 4 * w, 3);
    ProxyNets.registerConv(parameters, rng, "box.1", 4 * w, 4, 1);
    parameters.placeOn(device);
  }

  /**
   * A freshly initialised detector on the CPU in float32.
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @return the detector; the caller closes it
   */
  public static CenterNetDetector of(ProxyNetConfig config, long seed) {
    return of(config, seed, DeviceOptions.cpu());
  }

  /**
   * A freshly initialised detector on a device (the same values as on the CPU).
   *
   * @param config the architecture
   * @param seed the initialisation seed
   * @param device where and in which precision it runs
   * @return the detector; the caller closes it
   * @throws IllegalStateException if the device is not available
   */
  public static CenterNetDetector of(ProxyNetConfig config, long seed, DeviceOptions device) {
    checkNotNull(config, "config");
    checkNotNull(device, "device");
    return new CenterNetDetector(config, seed, device);
  }

  /**
   * Loads a detector written by {@link #save}.
   *
   * @param file a safetensors file with {@code architecture=centernet-detector} and its config
   * @param device where and in which precision it runs
   * @return the detector; the caller closes it
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a detector file or its tensors do not match
   */
  public static CenterNetDetector load(Path file, DeviceOptions device) throws IOException {
    checkNotNull(device, "device");
    return ProxyNet.load(file, ARCHITECTURE, c -> new CenterNetDetector(c, 0, device));
  }

  /**
   * The raw outputs.
   *
   * @param images {@code [N, C, H, W]} float in {@code [-1, 1]}, any size (fitted to the input)
   * @return {@code [N, K + 4, imageHeight / 4, imageWidth / 4]} float32 on the device: K heatmap
   *     logits, then width, height, x offset, y offset in cells; owned by the caller's current
   *     scope
   */
  public Tensor outputs(Tensor images) {
    Tensor x = ProxyNets.input(images, config, device);
    Tensor h = torch.relu(ProxyNets.conv(x, parameters, "backbone.0", 1, 1));
    h = torch.relu(ProxyNets.conv(h, parameters, "backbone.1", 2, 1));
    h = torch.relu(ProxyNets.conv(h, parameters, "backbone.2", 2, 1));
    h = torch.relu(ProxyNets.conv(h, parameters, "backbone.3", 1, 1));
    h = torch.relu(ProxyNets.conv(h, parameters, "backbone.4", 1, 2));
    Tensor hm =
        ProxyNets.conv(
            torch.relu(ProxyNets.conv(h, parameters, "heatmap.0", 1, 1)),
            parameters,
            "heatmap.1",
            1,
            1);
    Tensor box =
        ProxyNets.conv(
            torch.relu(ProxyNets.conv(h, parameters, "box.0", 1, 1)), parameters, "box.1", 1, 1);
    return torch.cat(new org.bytedeco.pytorch.TensorVector(hm, box), 1).to(ScalarType.Float);
  }

  @Override
  public Tensor taskLoss(Tensor images, List<ImageAnnotations> targets) {
    ProxyNets.checkTargets(images, targets, config.numCategories());
    return loss(images, targetTensors(targets));
  }

  /**
   * Rasterises the targets once (heatmaps, box targets, centre cells, object counts) for {@link
   * #taskLoss(Tensor, PreparedTargets)}.
   */
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

  /** Heatmap, centre mask, box targets and object counts on the device, in the current scope. */
  private List<Tensor> targetTensors(List<ImageAnnotations> targets) {
    int k = config.numCategories();
    int gh = config.imageHeight() / STRIDE;
    int gw = config.imageWidth() / STRIDE;
    int n = targets.size();
    float[] heat = new float[n * k * gh * gw];
    float[] box = new float[n * 4 * gh * gw];
    float[] at = new float[n * gh * gw];
    float[] norm = new float[n];
    for (int i = 0; i < n; i++) {
      norm[i] = Math.max(1, rasterise(targets.get(i), i, heat, box, at));
    }
    return List.of(
        device.placeFloat(Tensors.fromFloats(heat, n, k, gh, gw)),
        device.placeFloat(Tensors.fromFloats(at, n, 1, gh, gw)),
        device.placeFloat(Tensors.fromFloats(box, n, 4, gh, gw)),
        device.placeFloat(Tensors.fromFloats(norm, n)));
  }

  private Tensor loss(Tensor images, List<Tensor> t) {
    int k = config.numCategories();
    Tensor out = outputs(images);
    Tensor logits = out.narrow(1, 0, k);
    Tensor reg = out.narrow(1, k, 4);
    Tensor y = t.get(0);
    Tensor centre = t.get(1);
    Tensor target = t.get(2);
    Tensor m = t.get(3);
    Tensor p = torch.sigmoid(logits);
    Tensor pos = y.eq(Tensors.scalar(1.0)).to(ScalarType.Float);
    Tensor neg = pos.neg().add(Tensors.scalar(1.0));
    Tensor posTerm = p.neg().add(Tensors.scalar(1.0)).square().mul(torch.log_sigmoid(logits));
    Tensor negWeight = y.neg().add(Tensors.scalar(1.0)).pow(Tensors.scalar(4.0));
    Tensor negTerm = negWeight.mul(p.square()).mul(torch.log_sigmoid(logits.neg()));
    Tensor focal = posTerm.mul(pos).add(negTerm.mul(neg)).neg();
    Tensor l1 = reg.sub(target).abs().mul(centre);
    Tensor size = l1.narrow(1, 0, 2).mul(Tensors.scalar(SIZE_WEIGHT));
    Tensor offset = l1.narrow(1, 2, 2);
    long[] dims = {1, 2, 3};
    Tensor perImage =
        focal
            .sum(dims, false, new ScalarTypeOptional())
            .add(size.sum(dims, false, new ScalarTypeOptional()))
            .add(offset.sum(dims, false, new ScalarTypeOptional()));
    return perImage.div(m).sum();
  }

  /** Writes image {@code i}'s heatmap and regression targets; returns its object count. */
  private int rasterise(ImageAnnotations t, int i, float[] heat, float[] box, float[] at) {
    int k = config.numCategories();
    int gh = config.imageHeight() / STRIDE;
    int gw = config.imageWidth() / STRIDE;
    double[] g = ProxyNets.cover(t.height(), t.width(), config.imageHeight(), config.imageWidth());
    int count = 0;
    for (ObjectAnnotation o : t.objects()) {
      BoundingBox b = o.box();
      double cx = ((b.x() + b.width() / 2) * g[1] - g[3]) / STRIDE;
      double cy = ((b.y() + b.height() / 2) * g[0] - g[2]) / STRIDE;
      if (cx < 0 || cy < 0 || cx >= gw || cy >= gh) {
        continue; // centre cropped away
      }
      count++;
      double wc = b.width() * g[1] / STRIDE;
      double hc = b.height() * g[0] / STRIDE;
      int ix = (int) Math.floor(cx);
      int iy = (int) Math.floor(cy);
      double sigma = Math.max(0.5, Math.sqrt(wc * hc) / 6);
      int plane = (i * k + o.categoryId() - 1) * gh * gw;
      for (int v = 0; v < gh; v++) {
        for (int u = 0; u < gw; u++) {
          double d2 = (double) (u - ix) * (u - ix) + (double) (v - iy) * (v - iy);
          float val = (float) Math.exp(-d2 / (2 * sigma * sigma));
          heat[plane + v * gw + u] = Math.max(heat[plane + v * gw + u], val);
        }
      }
      heat[plane + iy * gw + ix] = 1f;
      int cell = iy * gw + ix;
      at[i * gh * gw + cell] = 1f;
      int base = i * 4 * gh * gw;
      box[base + cell] = (float) wc;
      box[base + gh * gw + cell] = (float) hc;
      box[base + 2 * gh * gw + cell] = (float) (cx - ix);
      box[base + 3 * gh * gw + cell] = (float) (cy - iy);
    }
    return count;
  }

  /**
   * Decodes detections: peaks of the sigmoid heatmap (a 3×3 max-pool keeps local maxima), the
   * {@code maxDetections} highest over all categories and cells, each a box centred at {@code (cell
   * + offset) · 4} of the predicted size, mapped back to each image's own pixel frame by the
   * inverse cover-crop geometry and clipped to it.
   *
   * @param images {@code [N, C, H, W]} float in {@code [-1, 1]}
   * @param maxDetections the most detections per image, {@code >= 1}
   * @return per image, its detections by descending score (score = peak probability)
   * @throws IllegalArgumentException if {@code maxDetections < 1}
   */
  public List<List<Detection>> detect(Tensor images, int maxDetections) {
    checkNotNull(images, "images");
    checkArgument(maxDetections >= 1, "maxDetections must be >= 1 but was %s", maxDetections);
    int k = config.numCategories();
    int gh = config.imageHeight() / STRIDE;
    int gw = config.imageWidth() / STRIDE;
    int h = Math.toIntExact(images.size(2));
    int w = Math.toIntExact(images.size(3));
    int n = Math.toIntExact(images.size(0));
    int top = Math.min(maxDetections, k * gh * gw);
    float[] scores;
    long[] index;
    float[] reg;
    try (TensorScope s = TensorScope.open();
        NoGradGuard ng = new NoGradGuard()) {
      Tensor out = outputs(images).cpu();
      Tensor p = torch.sigmoid(out.narrow(1, 0, k));
      Tensor peak =
          torch.max_pool2d(
              p, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, false);
      Tensor kept = p.mul(p.eq(peak).to(ScalarType.Float)).reshape(n, -1);
      var tk = kept.topk(top, 1, true, true);
      scores = Tensors.toFloats(tk.get0().contiguous());
      index = Tensors.toLongs(tk.get1().contiguous());
      reg = Tensors.toFloats(out.narrow(1, k, 4).contiguous());
    }
    double[] g = ProxyNets.cover(h, w, config.imageHeight(), config.imageWidth());
    List<List<Detection>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Detection> dets = new ArrayList<>();
      for (int j = 0; j < top; j++) {
        long idx = index[i * top + j];
        int cells = gh * gw;
        int category = (int) (idx / cells) + 1;
        int cell = (int) (idx % cells);
        int row = cell / gw;
        int col = cell % gw;
        int base = i * 4 * cells;
        double bw = Math.max(0, reg[base + cell]) * STRIDE;
        double bh = Math.max(0, reg[base + cells + cell]) * STRIDE;
        double cx = (col + (double) reg[base + 2 * cells + cell]) * STRIDE;
        double cy = (row + (double) reg[base + 3 * cells + cell]) * STRIDE;
        // back to the image's frame
        double x0 = clip((cx - bw / 2 + g[3]) / g[1], w);
        double x1 = clip((cx + bw / 2 + g[3]) / g[1], w);
        double y0 = clip((cy - bh / 2 + g[2]) / g[0], h);
        double y1 = clip((cy + bh / 2 + g[2]) / g[0], h);
        if (x1 - x0 <= 0 || y1 - y0 <= 0) {
          continue;
        }
        dets.add(
            Detection.of(category, BoundingBox.of(x0, y0, x1 - x0, y1 - y0), scores[i * top + j]));
      }
      all.add(List.copyOf(dets));
    }
    return List.copyOf(all);
  }

  private static double clip(double v, int size) {
    return Math.max(0, Math.min(size, v));
  }
}
