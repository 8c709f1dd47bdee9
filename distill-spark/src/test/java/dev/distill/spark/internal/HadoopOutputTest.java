package dev.distill.spark.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.spark.RootedLocalFileSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HadoopOutput} on the test-only {@code distilltest} file system (HDFS-like rename). */
class HadoopOutputTest {
  @TempDir Path tmp;
  Path root;
  Configuration conf;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("fs"));
    conf = new Configuration(false);
    for (String[] kv : RootedLocalFileSystem.settings(root, "")) {
      conf.set(kv[0], kv[1]);
    }
  }

  private static void writePart(Path localOut, int c, String content) throws Exception {
    Path part = PartFiles.localPart(localOut, c);
    Files.createDirectories(part.getParent());
    Files.writeString(part, content);
  }

  @Test
  void partIsCommittedOnceAndASecondWriterFindsItThere() throws Exception {
    HadoopOutput out = HadoopOutput.open(URI.create("distilltest:///runs/set"), conf);
    writePart(tmp.resolve("a/set"), 3, "part three");
    writePart(tmp.resolve("b/set"), 3, "part three");

    assertThat(out.committed()).isEmpty();
    assertThat(out.commitPart(3, tmp.resolve("a/set"))).isTrue();
    assertThat(out.commitPart(3, tmp.resolve("b/set"))).isFalse(); // HDFS-like: not replaced

    assertThat(out.committed()).containsExactly(3);
    assertThat(out.isCommitted(3)).isTrue();
    assertThat(out.isCommitted(2)).isFalse();
    assertThat(root.resolve("runs/.set.parts/class-0003.safetensors")).hasContent("part three");
    try (var files = Files.list(root.resolve("runs/.set.parts"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly("class-0003.safetensors"); // no temporary file left
    }
    out.fetchPart(3, tmp.resolve("c/set"));
    assertThat(PartFiles.localPart(tmp.resolve("c/set"), 3)).hasContent("part three");
  }

  @Test
  void setIsPublishedManifestLastAndFetchedBack() throws Exception {
    HadoopOutput out = HadoopOutput.open(URI.create("distilltest:///runs/set"), conf);
    Path local = Files.createDirectories(tmp.resolve("local/set"));
    Files.createDirectories(local.resolve("0_a"));
    Files.writeString(local.resolve("0_a/000.png"), "png");
    Files.writeString(local.resolve("manifest.json"), "{}");
    Files.createDirectories(root.resolve("runs/.set.parts"));
    Files.writeString(root.resolve("runs/.set.parts/.class-0001.safetensors.tmp"), "other");
    Files.writeString(
        root.resolve(
            "runs/.set.parts/.class-0001.safetensors.0f8fad5b-d9cb-469f-a165-70867728950e.tmp"),
        "interrupted");
    RootedLocalFileSystem.OPERATIONS.clear();

    assertThat(out.finished()).isFalse();
    assertThat(out.deleteLeftovers()).isEqualTo(1); // only our own temporary names
    out.publishSet(local);

    assertThat(out.finished()).isTrue();
    assertThat(RootedLocalFileSystem.OPERATIONS.get(RootedLocalFileSystem.OPERATIONS.size() - 1))
        .isEqualTo("rename /runs/set/manifest.json");
    Path back = tmp.resolve("back/set");
    out.fetchSet(back);
    assertThat(back.resolve("0_a/000.png")).hasContent("png");
    assertThat(back.resolve("manifest.json")).hasContent("{}");
    assertThat(root.resolve("runs/.set.parts/.class-0001.safetensors.tmp")).exists();
  }

  @Test
  void unknownSchemeIsIllegalArgumentNamingTheUri() {
    assertThatThrownBy(() -> HadoopOutput.open(URI.create("nosuchfs://h/out"), conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nosuchfs://h/out");
  }

  @Test
  void missingFileSystemClassIsIllegalArgumentNamingTheScheme() {
    conf.set("fs.s3x.impl", "org.example.NoSuchFileSystem");

    assertThatThrownBy(() -> HadoopOutput.open(URI.create("s3x://bucket/out"), conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("s3x://bucket/out")
        .hasMessageContaining("org.example.NoSuchFileSystem");
  }

  @Test
  void driverConfigurationTravelsToExecutorsBySerialization() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
      o.writeObject(new HadoopConf(conf));
    }
    HadoopConf copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (HadoopConf) in.readObject();
    }

    assertThat(copy.get().get(RootedLocalFileSystem.ROOT)).isEqualTo(root.toString());
    assertThat(HadoopOutput.open(URI.create("distilltest:///x/y"), copy.get()).name())
        .isEqualTo("y");
  }
}
