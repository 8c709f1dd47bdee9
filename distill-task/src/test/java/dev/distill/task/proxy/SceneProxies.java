package dev.distill.task.proxy;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Test fixture: Fashion-MNIST scenes at 32×32 and a segmenter and a detector trained on the train
 * split with tiny budgets, once per JVM (the tensors live outside every scope until the JVM ends).
 */
public final class SceneProxies {
  /** 32×32 canvases, 1–3 garments of side 10–20. */
  public static final SceneConfig SCENES = new SceneConfig(2000, 32, 1, 3, 10, 20, 26, 0);

  public static final int TRAIN = 1000;
  public static final int TEST = 64;
  public static final int SEGMENTER_STEPS = 500;
  public static final int DETECTOR_STEPS = 300;

  private static FashionMnistScenes train;
  private static FashionMnistScenes test;
  private static Tensor trainImages;
  private static Tensor testImages;
  private static LrAsppSegmenter segmenter;
  private static CenterNetDetector detector;
  private static ProxyTrainResult segmenterResult;
  private static ProxyTrainResult detectorResult;

  private SceneProxies() {}

  public static ProxyNetConfig config() {
    return ProxyNetConfig.of(1, 32, 10, 8);
  }

  private static synchronized void loadScenes() {
    if (train != null) {
      return;
    }
    Threads.set(1);
    try {
      train = FashionMnistScenes.train(SCENES);
      test = FashionMnistScenes.test(SCENES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (TensorScope s = TensorScope.open()) {
      trainImages = s.detach(train.images(0, TRAIN));
      testImages = s.detach(test.images(0, TEST));
    }
  }

  public static Tensor trainImages() {
    loadScenes();
    return trainImages;
  }

  public static List<ImageAnnotations> trainTargets() {
    loadScenes();
    return train.annotationSet(0, TRAIN).images();
  }

  public static Tensor testImages() {
    loadScenes();
    return testImages;
  }

  public static AnnotationSet testSet() {
    loadScenes();
    return test.annotationSet(0, TEST);
  }

  public static synchronized LrAsppSegmenter segmenter() {
    if (segmenter == null) {
      long t0 = System.nanoTime();
      loadScenes();
      List<ImageAnnotations> targets = trainTargets();
      long t1 = System.nanoTime();
      segmenter = LrAsppSegmenter.of(config(), 1);
      segmenterResult =
          AnnotationProxyTrainer.train(
              segmenter,
              segmenter.parameters(),
              trainImages,
              targets,
              SEGMENTER_STEPS,
              16,
              1e-2,
              7);
      System.out.printf(
          "scenes %.1f s, segmenter training %.1f s%n",
          (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    }
    return segmenter;
  }

  public static synchronized ProxyTrainResult segmenterResult() {
    segmenter();
    return segmenterResult;
  }

  public static synchronized CenterNetDetector detector() {
    if (detector == null) {
      loadScenes();
      long t0 = System.nanoTime();
      detector = CenterNetDetector.of(config(), 1);
      detectorResult =
          AnnotationProxyTrainer.train(
              detector,
              detector.parameters(),
              trainImages,
              trainTargets(),
              DETECTOR_STEPS,
              16,
              5e-3,
              7);
      System.out.printf("detector training %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    return detector;
  }

  public static synchronized ProxyTrainResult detectorResult() {
    detector();
    return detectorResult;
  }
}
