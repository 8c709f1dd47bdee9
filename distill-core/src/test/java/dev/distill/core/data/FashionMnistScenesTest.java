package dev.distill.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.io.CocoJson;
import dev.distill.core.tensor.SeededCases;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FashionMnistScenesTest {
  private static FashionMnistScenes train;
  private static FashionMnistScenes test;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    train = FashionMnistScenes.train(SceneConfig.defaults());
    test = FashionMnistScenes.test(SceneConfig.defaults());
  }

  static Stream<Long> seeds() {
    return SeededCases.seeds(60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void aSceneDependsOnlyOnSeedSplitAndIndex(long seed) throws IOException {
    Random r = new Random(seed);
    SceneConfig config = SceneConfig.defaults().withSeed(r.nextLong());
    int index = r.nextInt(config.size());
    FashionMnistScenes a = FashionMnistScenes.train(config);
    FashionMnistScenes b = FashionMnistScenes.train(config);
    // asking in another order (another scene first) must not matter
    b.annotations((index + 1) % config.size());
    assertThat(b.annotations(index)).isEqualTo(a.annotations(index));
    assertThat(b.compose(index).pixels()).isEqualTo(a.compose(index).pixels());
    FashionMnistScenes other = FashionMnistScenes.train(config.withSeed(config.seed() + 1));
    assertThat(other.compose(index).placements()).isNotEqualTo(a.compose(index).placements());
  }

  /** Every visible pixel of scene i is its owner garment's scaled pixel, from the right split. */
  private static void assertComposedOf(FashionMnistScenes scenes, LabeledImages source, int i) {
    FashionMnistScenes.Composition c = scenes.compose(i);
    int n = scenes.config().canvasSize();
    for (int k = 0; k < c.placements().size(); k++) {
      FashionMnistScenes.Placement p = c.placements().get(k);
      assertThat(p.classId()).isEqualTo(source.label(p.garment()));
      try (TensorScope scope = TensorScope.open()) {
        Tensor g =
            source
                .images()
                .select(0, p.garment())
                .add(new Scalar(1))
                .mul(new Scalar(127.5))
                .round()
                .to(ScalarType.Byte)
                .contiguous();
        byte[] expected = new byte[28 * 28];
        g.data_ptr_byte().get(expected);
        assertThat(scenes.garment(p.garment())).isEqualTo(expected);
      }
      int[] scaled = scenes.scaled(p.garment(), p.side());
      for (int y = 0; y < p.side(); y++) {
        for (int x = 0; x < p.side(); x++) {
          int at = (p.y() + y) * n + p.x() + x;
          if (c.owner()[at] == k) {
            assertThat(Byte.toUnsignedInt(c.pixels()[at])).isEqualTo(scaled[y * p.side() + x]);
          }
        }
      }
    }
  }

  @Test
  void trainScenesUseTrainGarmentsAndTestScenesTestGarments() throws IOException {
    try (LabeledImages trainSource = FashionMnist.train();
        LabeledImages testSource = FashionMnist.test()) {
      for (int i = 0; i < 20; i++) {
        assertComposedOf(train, trainSource, i);
        assertComposedOf(test, testSource, i);
      }
    }
    assertThat(train.split()).isEqualTo(FashionMnistScenes.Split.TRAIN);
    assertThat(test.split()).isEqualTo(FashionMnistScenes.Split.TEST);
    // same seed and index, other split: other garments
    assertThat(train.compose(0).pixels()).isNotEqualTo(test.compose(0).pixels());
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void boxesAreTightAroundDisjointVisibleMasksThatMakeTheSemanticMask(long seed)
      throws IOException {
    Random r = new Random(seed);
    int canvas = 32 + r.nextInt(65);
    int maxSide = 8 + r.nextInt(canvas - 7);
    SceneConfig config =
        new SceneConfig(
            100,
            canvas,
            1,
            1 + r.nextInt(6),
            4 + r.nextInt(maxSide - 3),
            maxSide,
            1 + r.nextInt(200),
            seed);
    FashionMnistScenes scenes = FashionMnistScenes.train(config);
    int index = r.nextInt(config.size());
    FashionMnistScenes.Composition c = scenes.compose(index);
    ImageAnnotations a = scenes.annotations(index);
    assertThat(a.objects()).hasSizeBetween(1, config.maxObjects());
    assertThat(c.placements()).hasSizeBetween(config.minObjects(), config.maxObjects());
    int[] semantic = a.semanticMask().orElseThrow().toArray();
    int[] covered = new int[canvas * canvas];
    for (ObjectAnnotation o : a.objects()) {
      int[] m = o.instanceMask().orElseThrow().toArray();
      int minX = canvas, minY = canvas, maxX = -1, maxY = -1;
      for (int i = 0; i < m.length; i++) {
        if (m[i] == 1) {
          covered[i]++;
          assertThat(semantic[i]).isEqualTo(o.categoryId());
          minX = Math.min(minX, i % canvas);
          maxX = Math.max(maxX, i % canvas);
          minY = Math.min(minY, i / canvas);
          maxY = Math.max(maxY, i / canvas);
        }
      }
      assertThat(o.box()).isEqualTo(BoundingBox.of(minX, minY, maxX - minX + 1, maxY - minY + 1));
    }
    for (int i = 0; i < covered.length; i++) {
      assertThat(covered[i]).isLessThanOrEqualTo(1);
      assertThat(semantic[i] == 0).isEqualTo(covered[i] == 0);
      assertThat(c.owner()[i] >= 0).isEqualTo(covered[i] == 1);
      // painted pixels are opaque, the rest is the black canvas
      if (covered[i] == 1) {
        assertThat(Byte.toUnsignedInt(c.pixels()[i]))
            .isGreaterThanOrEqualTo(config.alphaThreshold());
      } else {
        assertThat(c.pixels()[i]).isZero();
      }
    }
  }

  @Test
  void laterGarmentsArePaintedOnTopAndHiddenOnesAreDropped() {
    // find a scene where a later garment covers part of an earlier one
    for (int i = 0; i < 200; i++) {
      FashionMnistScenes.Composition c = train.compose(i);
      ImageAnnotations a = train.annotations(i);
      int visible = 0;
      for (int k = 0; k < c.placements().size(); k++) {
        boolean owns = false;
        for (int o : c.owner()) {
          owns |= o == k;
        }
        visible += owns ? 1 : 0;
      }
      assertThat(a.objects()).hasSize(visible);
      // the last garment is never covered: its mask is all its opaque pixels
      FashionMnistScenes.Placement last = c.placements().get(c.placements().size() - 1);
      int[] scaled = train.scaled(last.garment(), last.side());
      int n = train.config().canvasSize();
      for (int y = 0; y < last.side(); y++) {
        for (int x = 0; x < last.side(); x++) {
          int at = (last.y() + y) * n + last.x() + x;
          boolean opaque = scaled[y * last.side() + x] >= train.config().alphaThreshold();
          if (opaque) {
            assertThat(c.owner()[at]).isEqualTo(c.placements().size() - 1);
          }
        }
      }
    }
  }

  @Test
  void imagesRenderTheComposedPixels() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = train.images(3, 2);
      assertThat(Tensors.shape(images)).containsExactly(2, 1, 64, 64);
      Tensor bytes =
          images.add(new Scalar(1)).mul(new Scalar(127.5)).round().to(ScalarType.Byte).contiguous();
      byte[] all = new byte[2 * 64 * 64];
      bytes.data_ptr_byte().get(all);
      byte[] second = java.util.Arrays.copyOfRange(all, 64 * 64, 2 * 64 * 64);
      assertThat(second).isEqualTo(train.compose(4).pixels());
    }
    assertThatThrownBy(() -> train.images(9_999, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scenes [from, from + count) must lie in [0, 10000) but were [9999, 10001)");
  }

  @Test
  void exportedScenesReadBackAsTheSameCocoDataset() throws IOException {
    Path dir = tmp.resolve("scenes");
    test.export(dir, 5, 6);
    CocoDataset d = CocoDataset.of(dir.resolve(CocoJson.INSTANCES), dir);
    AnnotationSet expected = test.annotationSet(5, 6);
    assertThat(d.annotationSet()).isEqualTo(expected);
    assertThat(d.classNames()).isEqualTo(FashionMnist.CLASS_NAMES);
    try (TensorScope scope = TensorScope.open()) {
      Tensor back = d.loadImages(new int[] {0, 1, 2, 3, 4, 5}).select(1, 0).unsqueeze(1);
      assertThat(Tensors.maxAbsDiff(back, test.images(5, 6))).isLessThan(1e-5);
    }
  }

  @Test
  void statisticsOfTheDefaultTrainScenes() {
    SceneStatistics s = train.statistics(2000);
    System.out.println("Fashion-MNIST scenes (train, defaults, first 2000): " + s);
    assertThat(s.scenes()).isEqualTo(2000);
    assertThat(s.meanObjects()).isBetween(1.5, 3.0);
    assertThat(s.objectsPerScene().get(0)).isZero();
    assertThat(s.objectsPerScene().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2000);
    assertThat(s.classCounts()).allSatisfy(c -> assertThat(c).isGreaterThan(50));
    assertThat(s.objects()).isEqualTo((int) Math.round(s.meanObjects() * 2000));
    assertThat(s.boxSideQuantiles()).isSorted();
    assertThat(s.boxSideQuantiles().get(4)).isLessThanOrEqualTo(40.0);
    assertThat(s.foregroundFraction()).isBetween(0.05, 0.6);
    System.out.println(
        "Fashion-MNIST scenes (test, defaults, first 2000): " + test.statistics(2000));
  }

  @Test
  void configValidatesAndRoundTripsThroughJson() throws IOException {
    assertThatThrownBy(() -> SceneConfig.defaults().withObjects(3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxObjects must be >= minObjects (3) but was 2");
    assertThatThrownBy(() -> SceneConfig.defaults().withCanvasSize(32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSide must be in [minSide, canvasSize] = [16, 32] but was 40");
    assertThatThrownBy(() -> SceneConfig.defaults().withAlphaThreshold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alphaThreshold must be in [1, 255] but was 0");
    SceneConfig c = SceneConfig.defaults().withSeed(42).withSize(7);
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readValue(json.writeValueAsString(c), SceneConfig.class)).isEqualTo(c);
    new EqualsTester()
        .addEqualityGroup(SceneConfig.defaults(), SceneConfig.defaults().withSeed(0))
        .addEqualityGroup(c)
        .testEquals();
    new NullPointerTester().testAllPublicStaticMethods(FashionMnistScenes.class);
    new NullPointerTester().testAllPublicInstanceMethods(train);
    new NullPointerTester()
        .setDefault(int.class, 1)
        .testAllPublicConstructors(SceneStatistics.class);
  }
}
