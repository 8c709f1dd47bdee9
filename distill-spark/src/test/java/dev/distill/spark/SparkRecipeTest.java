package dev.distill.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link SparkRecipe}'s output: paths, {@code file:} URIs and Hadoop {@code FileSystem} URIs. */
class SparkRecipeTest {
  private static SparkRecipe withOutput(String output) {
    return SparkTestSupport.recipe(output).build();
  }

  @Test
  void hadoopUriIsKeptWithoutTrailingSlash() {
    SparkRecipe r = withOutput("hdfs://namenode:8020/out/./d4m/");

    assertThat(r.output()).isEqualTo("hdfs://namenode:8020/out/d4m");
    assertThat(r.hadoopUri()).contains(URI.create("hdfs://namenode:8020/out/d4m"));
    assertThatThrownBy(r::outputPath)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hdfs://namenode:8020/out/d4m");
  }

  @Test
  void pathsAndFileUrisAreAbsolutePaths(@org.junit.jupiter.api.io.TempDir Path tmp) {
    SparkRecipe path = withOutput(tmp.resolve("a/../out").toString());
    SparkRecipe file = withOutput(tmp.resolve("out").toUri().toString());

    assertThat(path.hadoopUri()).isEmpty();
    assertThat(path.outputPath()).isEqualTo(tmp.resolve("out"));
    assertThat(file.output()).isEqualTo(path.output());
  }

  @Test
  void uriThatIsRelativeARootOrHasAQueryIsRefusedNamingIt() {
    assertThatThrownBy(() -> withOutput("hdfs:out/d4m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute")
        .hasMessageContaining("hdfs:out/d4m");
    assertThatThrownBy(() -> withOutput("s3a://bucket/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below the file system's root")
        .hasMessageContaining("s3a://bucket/");
    assertThatThrownBy(() -> withOutput("s3a://bucket/out?x=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no query");
    assertThatThrownBy(() -> withOutput("hdfs://bad host/out"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hdfs://bad host/out");
  }
}
