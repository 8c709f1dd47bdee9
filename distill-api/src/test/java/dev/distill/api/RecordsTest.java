package dev.distill.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.reflect.ClassPath;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.api.contract.ContractTensors;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * guava-testlib's {@link NullPointerTester} and {@link EqualsTester} over every public record of
 * distill-api (found on the class path, so a new record without samples here fails).
 */
class RecordsTest {
  private static PointerScope scope;
  private static Tensor latents;
  private static Tensor otherLatents;

  @BeforeAll
  static void tensors() {
    scope = new PointerScope();
    latents = ContractTensors.fromFloats(new float[4], 1, 1, 2, 2);
    otherLatents = ContractTensors.fromFloats(new float[4], 1, 1, 2, 2);
  }

  @AfterAll
  static void free() {
    scope.close();
  }

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static dev.distill.api.annotation.ImageAnnotations layout(double side) {
    return dev.distill.api.annotation.ImageAnnotations.of(
        32,
        32,
        List.of(
            new dev.distill.api.annotation.ObjectAnnotation(
                1,
                dev.distill.api.annotation.BoundingBox.of(0, 0, side, side),
                java.util.Optional.empty())));
  }

  /** Equality groups per record: each inner list holds equal instances, groups differ. */
  private static Map<Class<?>, List<List<Object>>> equalityGroups() {
    Map<Class<?>, List<List<Object>>> m = new LinkedHashMap<>();
    m.put(
        Conditioning.class,
        List.of(
            List.of(Conditioning.of(1, "a cat"), new Conditioning(1, "a cat", "")),
            List.of(Conditioning.ofClass(2)),
            List.of(Conditioning.of(1, "a dog")),
            List.of(Conditioning.of(1, "a cat").withNegativePrompt("blurry")),
            List.of(Conditioning.ofPrompt("a cat")),
            List.of(
                Conditioning.of(1, "a cat").withLayout(layout(10)),
                Conditioning.of(1, "a cat").withLayout(layout(10))),
            List.of(Conditioning.of(1, "a cat").withLayout(layout(12)))));
    m.put(
        StepInfo.class,
        List.of(
            List.of(new StepInfo(1, 10, 899, 2.0, 0.2), new StepInfo(1, 10, 899, 2.0, 0.2)),
            List.of(new StepInfo(2, 10, 899, 2.0, 0.2)),
            List.of(new StepInfo(1, 11, 899, 2.0, 0.2)),
            List.of(new StepInfo(1, 10, 898, 2.0, 0.2)),
            List.of(new StepInfo(1, 10, 899, 2.5, 0.2)),
            List.of(new StepInfo(1, 10, 899, 2.0, 0.3))));
    m.put(
        Progress.class,
        List.of(
            List.of(new Progress("sample", 1, 4, ""), new Progress("sample", 1, 4, "")),
            List.of(new Progress("train", 1, 4, "")),
            List.of(new Progress("sample", 2, 4, "")),
            List.of(new Progress("sample", 1, 5, "")),
            List.of(new Progress("sample", 1, 4, "step 1"))));
    m.put(
        MetricSummary.class,
        List.of(
            List.of(
                new MetricSummary(List.of(1.0, 2.0)),
                new MetricSummary(new ArrayList<>(List.of(1.0, 2.0)))),
            List.of(new MetricSummary(List.of(2.0, 1.0))),
            List.of(new MetricSummary(List.of(1.0)))));
    Map<String, MetricSummary> metrics = Map.of("top1", new MetricSummary(List.of(80.0)));
    Map<String, String> protocol = new TreeMap<>(Map.of("epochs", "300", "lr", "0.01"));
    m.put(
        EvalReport.class,
        List.of(
            List.of(
                new EvalReport("convnet3", "hard", metrics, protocol),
                new EvalReport(
                    "convnet3", "hard", new HashMap<>(metrics), new HashMap<>(protocol))),
            List.of(new EvalReport("resnet18", "hard", metrics, protocol)),
            List.of(new EvalReport("convnet3", "soft-kl", metrics, protocol)),
            List.of(new EvalReport("convnet3", "hard", Map.of(), protocol)),
            List.of(new EvalReport("convnet3", "hard", metrics, Map.of()))));
    Map<String, String> config = Map.of("ipc", "10", "strength", "0.7");
    m.put(
        RunProvenance.class,
        List.of(
            List.of(
                new RunProvenance("d4m", config, 1, "sdxl", "0.1.0", T0),
                new RunProvenance("d4m", new TreeMap<>(config), 1, "sdxl", "0.1.0", T0)),
            List.of(new RunProvenance("unidd", config, 1, "sdxl", "0.1.0", T0)),
            List.of(new RunProvenance("d4m", Map.of(), 1, "sdxl", "0.1.0", T0)),
            List.of(new RunProvenance("d4m", config, 2, "sdxl", "0.1.0", T0)),
            List.of(new RunProvenance("d4m", config, 1, "builtin", "0.1.0", T0)),
            List.of(new RunProvenance("d4m", config, 1, "sdxl", "0.2.0", T0)),
            List.of(new RunProvenance("d4m", config, 1, "sdxl", "0.1.0", T0.plusSeconds(1)))));
    m.put(
        ImageSize.class,
        List.of(
            List.of(new ImageSize(480, 640), ImageSize.of(480, 640), ImageSize.parse("480x640")),
            List.of(ImageSize.square(480), ImageSize.parse("480")),
            List.of(ImageSize.of(640, 480))));
    // tensors compare by identity of the native handle (Pointer.equals)
    m.put(
        InitLatents.class,
        List.of(
            List.of(new InitLatents(latents, 0.5), new InitLatents(latents, 0.5)),
            List.of(new InitLatents(latents, 0.6)),
            List.of(new InitLatents(otherLatents, 0.5))));
    return m;
  }

  /** Every public record of dev.distill.api, including nested ones. */
  private static List<Class<?>> apiRecords() throws IOException {
    List<Class<?>> out = new ArrayList<>();
    for (ClassPath.ClassInfo info :
        ClassPath.from(RecordsTest.class.getClassLoader()).getTopLevelClasses("dev.distill.api")) {
      collectRecords(info.load(), out);
    }
    return out;
  }

  private static void collectRecords(Class<?> c, List<Class<?>> out) {
    if (c.isRecord() && Modifier.isPublic(c.getModifiers())) {
      out.add(c);
    }
    for (Class<?> nested : c.getDeclaredClasses()) {
      collectRecords(nested, out);
    }
  }

  @Test
  void everyApiRecordHasEqualitySamplesHere() throws IOException {
    List<Class<?>> records = apiRecords();
    assertThat(records).as("records found on the class path").hasSizeGreaterThanOrEqualTo(7);
    assertThat(equalityGroups().keySet())
        .as("add equality samples to RecordsTest for every new api record")
        .containsAll(records);
  }

  static Stream<Class<?>> records() {
    return equalityGroups().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("records")
  void equalsAndHashCodeFollowTheComponents(Class<?> record) {
    EqualsTester tester = new EqualsTester();
    for (List<Object> group : equalityGroups().get(record)) {
      tester.addEqualityGroup(group.toArray());
    }
    tester.testEquals();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("records")
  void nullArgumentsAreRejectedWithNullPointerException(Class<?> record) {
    NullPointerTester tester = new NullPointerTester();
    tester.setDefault(Tensor.class, latents);
    tester.setDefault(Instant.class, T0);
    tester.setDefault(MetricSummary.class, new MetricSummary(List.of(1.0)));
    tester.testAllPublicConstructors(record);
    tester.testAllPublicStaticMethods(record);
    tester.testAllPublicInstanceMethods(equalityGroups().get(record).get(0).get(0));
  }

  @Test
  void recordsToStringNameTheirComponents() {
    assertThat(new StepInfo(1, 10, 899, 2.0, 0.2).toString()).contains("index=1", "sigma=2.0");
  }
}
