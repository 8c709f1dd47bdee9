package dev.distill.spark.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.io.AtomicFiles;
import dev.distill.core.io.DistilledSetIO;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output folder on a Hadoop {@link FileSystem} ({@code hdfs://}, {@code s3a://}, …): the same
 * layout as distill-core writes on a path — committed classes in the hidden sibling {@code
 * .<out>.parts/class-NNNN.safetensors}, the finished set as an ImageFolder + {@code manifest.json}
 * in the folder itself — moved between it and a local staging folder where distill-core works.
 *
 * <p>Commits: a part is uploaded under a hidden temporary name in the parts folder ({@code
 * .class-NNNN.safetensors.<uuid>.tmp}) and then {@link FileSystem#rename renamed} to its final
 * name. On HDFS (and other file systems with an atomic rename: ABFS with a hierarchical namespace,
 * the local one) the part appears whole or not at all. On S3A the rename is a server-side copy then
 * a delete: the final object still appears whole (S3 creates an object atomically), but the commit
 * takes time proportional to the part's size and a crash between copy and delete leaves the
 * temporary object behind ({@link #deleteLeftovers} removes it). Two writers of one class (a Spark
 * retry racing its zombie attempt, speculation) write the same bytes; a rename that finds the
 * destination already there (HDFS refuses to replace it, S3A may throw) counts as committed by the
 * other writer.
 *
 * <p>The finished set is published with its files first and {@code manifest.json} last (itself
 * through a temporary name and a rename), so the manifest's presence marks a complete set; an
 * interrupted publication leaves images without a manifest, which the next run overwrites.
 *
 * <p>File systems come from {@link FileSystem#get(URI, Configuration)} (Hadoop's per-JVM cache;
 * never closed here). Thread-safe as far as the file system is (HDFS and S3A clients are).
 */
public final class HadoopOutput {
  private static final Logger LOG = LoggerFactory.getLogger(HadoopOutput.class);
  private static final Pattern TEMPORARY =
      Pattern.compile("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

  private final URI uri;
  private final FileSystem fs;
  private final Path out;
  private final Path parts;

  private HadoopOutput(URI uri, FileSystem fs, Path out) {
    this.uri = uri;
    this.fs = fs;
    this.out = out;
    this.parts = new Path(out.getParent(), PartFiles.partsFolderName(out.getName()));
  }

  /**
   * The output folder at a URI.
   *
   * @param uri the folder ({@code hdfs://namenode/out/d4m}, {@code s3a://bucket/out/d4m})
   * @param conf the Hadoop configuration (the driver's, or {@link HadoopConf} on executors)
   * @return the output
   * @throws IllegalArgumentException if no Hadoop {@code FileSystem} serves the URI's scheme, or
   *     its class is not on the class path (the message names the URI)
   * @throws IOException if the file system cannot be reached
   */
  public static HadoopOutput open(URI uri, Configuration conf) throws IOException {
    checkNotNull(uri, "uri");
    checkNotNull(conf, "conf");
    FileSystem fs;
    try {
      fs = FileSystem.get(uri, conf);
    } catch (UnsupportedFileSystemException e) {
      throw new IllegalArgumentException(
          String.format(
              "output must be a path or a URI of a Hadoop FileSystem (a built-in scheme such as"
                  + " hdfs, or one with fs.%s.impl set) but was %s: %s",
              uri.getScheme(), uri, e.getMessage()),
          e);
    } catch (RuntimeException e) {
      if (!(e.getCause() instanceof ClassNotFoundException)) {
        throw e;
      }
      throw new IllegalArgumentException(
          String.format(
              "output %s needs the Hadoop FileSystem class of scheme %s on the driver's and the"
                  + " executors' class path (s3a: hadoop-aws of Spark's Hadoop version and its AWS"
                  + " SDK bundle): %s",
              uri, uri.getScheme(), e.getMessage()),
          e);
    }
    return new HadoopOutput(uri, fs, fs.makeQualified(new Path(uri)));
  }

  /**
   * The output folder's name.
   *
   * @return its last path element
   */
  public String name() {
    return out.getName();
  }

  /**
   * Whether the finished set is published ({@code manifest.json} exists).
   *
   * @return true if it is
   * @throws IOException if the file system cannot be read
   */
  public boolean finished() throws IOException {
    return fs.exists(new Path(out, DistilledSetIO.MANIFEST));
  }

  /**
   * The classes whose part is committed (one listing of the parts folder).
   *
   * @return class ids, ascending
   * @throws IOException if the file system cannot be read
   */
  public SortedSet<Integer> committed() throws IOException {
    SortedSet<Integer> classes = new TreeSet<>();
    FileStatus[] files;
    try {
      files = fs.listStatus(parts);
    } catch (FileNotFoundException e) {
      return classes;
    }
    for (FileStatus f : files) {
      OptionalInt c = PartFiles.classOf(f.getPath().getName());
      if (f.isFile() && c.isPresent()) {
        classes.add(c.getAsInt());
      }
    }
    return classes;
  }

  /**
   * Whether a class's part is committed.
   *
   * @param classId the class
   * @return true if it is
   * @throws IOException if the file system cannot be read
   */
  public boolean isCommitted(int classId) throws IOException {
    return fs.exists(part(classId));
  }

  /**
   * Copies a committed part into a local output folder's parts folder (where distill-core checks
   * and assembles it).
   *
   * @param classId the class
   * @param localOut the local output folder
   * @throws IOException if reading or writing fails (the message names the part)
   */
  public void fetchPart(int classId, java.nio.file.Path localOut) throws IOException {
    download(part(classId), PartFiles.localPart(localOut, classId));
  }

  /**
   * Commits a class that distill-core committed in a local output folder: upload under a temporary
   * name, then rename.
   *
   * @param classId the class
   * @param localOut the local output folder holding the part
   * @return true if this call's rename committed it, false if another writer had committed it first
   *     (the same bytes, for the same recipe)
   * @throws IOException if uploading or renaming fails (the message names the part)
   */
  public boolean commitPart(int classId, java.nio.file.Path localOut) throws IOException {
    fs.mkdirs(parts);
    return publish(PartFiles.localPart(localOut, classId), part(classId));
  }

  /**
   * Copies the published set (ImageFolder + manifest) into a new local folder.
   *
   * @param localOut the local folder to fill
   * @throws IOException if reading or writing fails
   */
  public void fetchSet(java.nio.file.Path localOut) throws IOException {
    String root = out.toUri().getPath();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(out, true);
    while (files.hasNext()) {
      Path p = files.next().getPath();
      String relative = p.toUri().getPath().substring(root.length() + 1);
      if (!TEMPORARY.matcher(p.getName()).matches()) {
        download(p, localOut.resolve(relative));
      }
    }
  }

  /**
   * Publishes a set assembled in a local folder: every file but the manifest (replacing what an
   * interrupted publication left), then {@code manifest.json} through a temporary name and a
   * rename.
   *
   * @param localOut the assembled local folder
   * @throws IOException if reading or writing fails
   */
  public void publishSet(java.nio.file.Path localOut) throws IOException {
    List<java.nio.file.Path> files;
    try (Stream<java.nio.file.Path> s = Files.walk(localOut)) {
      files = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
    }
    java.nio.file.Path manifest = localOut.resolve(DistilledSetIO.MANIFEST);
    files.remove(manifest);
    for (java.nio.file.Path f : files) {
      String relative = localOut.relativize(f).toString().replace(java.io.File.separatorChar, '/');
      upload(f, new Path(out, relative), true);
    }
    publish(manifest, new Path(out, DistilledSetIO.MANIFEST));
  }

  /**
   * Deletes the temporary files interrupted commits left in the parts folder and the output folder.
   * Call it only while no task of this output runs.
   *
   * @return how many were deleted
   * @throws IOException if listing or deleting fails
   */
  public int deleteLeftovers() throws IOException {
    int deleted = 0;
    for (Path dir : List.of(parts, out)) {
      FileStatus[] files;
      try {
        files = fs.listStatus(dir);
      } catch (FileNotFoundException e) {
        continue;
      }
      for (FileStatus f : files) {
        if (f.isFile() && TEMPORARY.matcher(f.getPath().getName()).matches()) {
          fs.delete(f.getPath(), false);
          deleted++;
        }
      }
    }
    return deleted;
  }

  /**
   * A refusal distill-core raised on a local staging folder, reworded to name this output instead
   * (the staging folder means nothing to the user).
   *
   * @param refusal the exception, naming files under {@code localOut} or its parts folder
   * @param localOut the local staging output folder the check ran on
   * @return an exception of the same kind whose message names the URI's files
   */
  public IllegalStateException named(IllegalStateException refusal, java.nio.file.Path localOut) {
    String message = refusal.getMessage();
    java.nio.file.Path stage = localOut.toAbsolutePath().normalize().getParent();
    if (message == null || stage == null) {
      return refusal;
    }
    String text = uri.toString();
    String parent = text.substring(0, text.length() - name().length() - 1);
    return new IllegalStateException(message.replace(stage.toString(), parent), refusal);
  }

  @Override
  public String toString() {
    return uri.toString();
  }

  private Path part(int classId) {
    return new Path(parts, PartFiles.partName(classId));
  }

  /** Uploads to a temporary sibling, then renames; false if the destination was there first. */
  private boolean publish(java.nio.file.Path source, Path destination) throws IOException {
    Path tmp =
        new Path(
            destination.getParent(),
            "." + destination.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      upload(source, tmp, false);
      boolean renamed;
      try {
        renamed = fs.rename(tmp, destination);
      } catch (FileAlreadyExistsException e) { // S3A, some object stores
        renamed = false;
      }
      if (!renamed && !fs.exists(destination)) {
        throw new IOException("could not rename " + tmp + " to " + destination);
      }
      return renamed;
    } finally {
      try {
        fs.delete(tmp, false);
      } catch (IOException e) {
        LOG.warn("could not delete the temporary file {} (a rerun deletes it)", tmp, e);
      }
    }
  }

  private void upload(java.nio.file.Path source, Path destination, boolean overwrite)
      throws IOException {
    try (InputStream in = Files.newInputStream(source);
        OutputStream o = fs.create(destination, overwrite)) {
      in.transferTo(o);
    } catch (IOException e) {
      throw new IOException("could not write " + destination + ": " + e.getMessage(), e);
    }
  }

  private void download(Path source, java.nio.file.Path destination) throws IOException {
    try {
      AtomicFiles.write(
          destination,
          o -> {
            try (InputStream in = fs.open(source)) {
              in.transferTo(o);
            }
          });
    } catch (IOException e) {
      throw new IOException(
          "could not copy " + source + " to " + destination + ": " + e.getMessage(), e);
    }
  }
}
