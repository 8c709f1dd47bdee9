package dev.distill.spark.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names distill-core's {@code Distill.commitParts} gives committed classes: {@code
 * class-NNNN.safetensors} in the hidden sibling folder {@code .<out>.parts} of the output folder.
 *
 * <p>One place for the layout on both sides (a path, a Hadoop {@code FileSystem} URI). Stateless.
 */
public final class PartFiles {
  private static final Pattern PART = Pattern.compile("class-(\\d{4,})\\.safetensors");

  private PartFiles() {}

  /**
   * The name of an output folder's parts folder.
   *
   * @param outputName the output folder's own name
   * @return {@code .<outputName>.parts}
   */
  public static String partsFolderName(String outputName) {
    checkArgument(
        !checkNotNull(outputName, "outputName").isEmpty(),
        "outputName must not be empty but was %s",
        outputName);
    return "." + outputName + ".parts";
  }

  /**
   * The file name of a class's part.
   *
   * @param classId the class, {@code >= 0}
   * @return {@code class-NNNN.safetensors}
   */
  public static String partName(int classId) {
    checkArgument(classId >= 0, "classId must be >= 0 but was %s", classId);
    return String.format(java.util.Locale.ROOT, "class-%04d.safetensors", classId);
  }

  /**
   * The class of a part's file name.
   *
   * @param fileName a file name
   * @return its class, or empty if it is not a part's name
   */
  public static OptionalInt classOf(String fileName) {
    Matcher m = PART.matcher(checkNotNull(fileName, "fileName"));
    return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /**
   * Where class {@code classId} of output folder {@code out} is committed on a local or mounted
   * file system.
   *
   * @param out the output folder
   * @param classId the class
   * @return {@code <out>/../.<out name>.parts/class-NNNN.safetensors}
   */
  public static Path localPart(Path out, int classId) {
    return out.resolveSibling(partsFolderName(out.getFileName().toString()))
        .resolve(partName(classId));
  }
}
