package dev.distill.bench;

import java.util.List;
import java.util.Locale;

/**
 * A cost model for distilling real datasets with SDXL on one GPU, from {@link FlopCount}'s counts
 * of the real SDXL base UNet and VAE ({@link SdxlBaseConfigs}) — computed, not measured (no GPU and
 * no SDXL weights here).
 *
 * <p>Work per method (50 nominal steps, CFG on, SDXL 1024²; Turbo: 4 steps, no CFG, 512²):
 *
 * <ul>
 *   <li>D4M: VAE-encode every training image at the generation size, then per distilled image
 *       {@code floor(0.7·50) = 35} CFG steps (img2img, strength 0.7) and one decode;
 *   <li>Mode-Guided: the same encode; per image 50 CFG steps (the ẑ0 pull adds no network pass) and
 *       one decode;
 *   <li>UniDD: no encode; per image 50 CFG steps each with a decode of ẑ0 and its input gradient (≈
 *       2 decodes; {@code decodeScale 2} → 2 decodes at ¼ the pixels) and one final decode.
 * </ul>
 *
 * <p>Time = FLOPs / (peak × utilisation) for an assumed accelerator (printed); memory per image
 * comes from distill-bench RESULTS.md §6 (the decoder gradient, extrapolated from the measured
 * sdxl-mid VAE). Run: {@code java -cp ... dev.distill.bench.CostEstimate [peakTflops]
 * [utilisation]} (defaults 312 and 0.4: an A100's dense fp16 tensor-core peak at 40 %).
 *
 * @since 0.1.0
 */
public final class CostEstimate {
  private CostEstimate() {}

  /** A dataset to distil: name, classes, training images. */
  record Dataset(String name, int classes, long trainImages) {}

  static final List<Dataset> DATASETS =
      List.of(new Dataset("ImageNette", 10, 9_469), new Dataset("ImageNet-1K", 1000, 1_281_167));

  /** FLOPs of one distillation. */
  static double flops(String method, Dataset d, int ipc, boolean turbo, int decodeScale) {
    int side = turbo ? 512 : 1024;
    int latent = side / 8;
    int steps = turbo ? 4 : 50;
    double unet = FlopCount.unetForward(SdxlBaseConfigs.UNET, latent, latent) * (turbo ? 1 : 2);
    double decode = FlopCount.vaeDecode(SdxlBaseConfigs.VAE, latent, latent);
    double guideDecode =
        FlopCount.vaeDecode(SdxlBaseConfigs.VAE, latent / decodeScale, latent / decodeScale);
    double encode = FlopCount.vaeEncode(SdxlBaseConfigs.VAE, side, side);
    long images = (long) d.classes() * ipc;
    return switch (method) {
      case "d4m" -> d.trainImages() * encode + images * (Math.floor(0.7 * steps) * unet + decode);
      case "mode-guided" -> d.trainImages() * encode + images * (steps * unet + decode);
      case "unidd" -> images * (steps * (unet + 2 * guideDecode) + decode);
      default -> throw new IllegalArgumentException("unknown method " + method);
    };
  }

  /**
   * Prints the table.
   *
   * @param args optional peak TFLOP/s and utilisation
   */
  public static void main(String[] args) {
    double peak = args.length > 0 ? Double.parseDouble(args[0]) : 312;
    double util = args.length > 1 ? Double.parseDouble(args[1]) : 0.4;
    double rate = peak * 1e12 * util;
    System.out.printf(
        Locale.ROOT,
        "assumed accelerator: %.0f TFLOP/s peak x %.0f%% = %.0f TFLOP/s effective%n",
        peak,
        util * 100,
        rate / 1e12);
    System.out.println("| dataset | IPC | generator | method | PFLOP | GPU-hours |");
    System.out.println("|---|---|---|---|---|---|");
    for (Dataset d : DATASETS) {
      for (int ipc : new int[] {10, 50}) {
        for (boolean turbo : new boolean[] {false, true}) {
          for (String m : List.of("d4m", "mode-guided", "unidd")) {
            double f = flops(m, d, ipc, turbo, 1);
            System.out.printf(
                Locale.ROOT,
                "| %s | %d | %s | %s | %.1f | %.2f |%n",
                d.name(),
                ipc,
                turbo ? "Turbo 512², 4 steps" : "SDXL 1024², 50 steps",
                m,
                f / 1e15,
                f / rate / 3600);
          }
        }
      }
    }
  }
}
