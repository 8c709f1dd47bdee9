package dev.distill.spark;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;

/**
 * A test-only Hadoop file system of its own scheme, {@value #SCHEME}, that behaves like HDFS where
 * it matters here and proves the code goes through Hadoop's {@code FileSystem} API.
 *
 * <p>{@code distilltest:///a/b} is stored at {@code <root>/a/b}, where {@code root} is the
 * configuration's {@value #ROOT} (a JUnit temporary folder): no {@code java.nio} path or {@code
 * file:} URI names these files, so only Hadoop calls can reach them. Like HDFS (and unlike the
 * local file system), {@link #rename} does not replace an existing destination. Every create,
 * rename, open and delete is recorded in {@link #OPERATIONS} as {@code "<op> <path>"} (paths
 * relative to the root). Registered with {@code fs.distilltest.impl} ({@code spark.hadoop.} in a
 * SparkConf) and {@code fs.distilltest.impl.disable.cache=true} (each test class has its own root).
 */
public class RootedLocalFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "distilltest";
  public static final String ROOT = "fs.distilltest.root";

  /** What every instance did, in order (tests clear it). */
  public static final List<String> OPERATIONS = Collections.synchronizedList(new ArrayList<>());

  private String root;

  /**
   * The configuration that serves {@value #SCHEME} from a root folder.
   *
   * @param root the folder
   * @param prefix {@code "spark.hadoop."} for a SparkConf, {@code ""} for a Hadoop configuration
   * @return key/value pairs
   */
  public static List<String[]> settings(java.nio.file.Path root, String prefix) {
    return List.of(
        new String[] {prefix + "fs." + SCHEME + ".impl", RootedLocalFileSystem.class.getName()},
        new String[] {prefix + "fs." + SCHEME + ".impl.disable.cache", "true"},
        new String[] {prefix + ROOT, root.toAbsolutePath().toString()});
  }

  /** The operations recorded so far whose description starts with {@code op}. */
  public static List<String> operations(String op) {
    synchronized (OPERATIONS) {
      return OPERATIONS.stream().filter(s -> s.startsWith(op + " ")).toList();
    }
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    String r = conf.get(ROOT);
    if (r == null) {
      throw new IOException(ROOT + " is not set");
    }
    root = new File(r).getAbsolutePath();
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public File pathToFile(Path path) {
    return new File(root, makeQualified(path).toUri().getPath());
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return rooted(super.getFileStatus(f), f);
  }

  @Override
  public FileStatus getFileLinkStatus(Path f) throws IOException {
    return rooted(super.getFileLinkStatus(f), f);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    if (!pathToFile(f).isDirectory()) {
      return new FileStatus[] {getFileStatus(f)};
    }
    FileStatus[] all = super.listStatus(f); // of a folder: each from getFileStatus, rooted
    return all;
  }

  /**
   * A plain status with the path under this file system's scheme (the local one's statuses carry
   * the local path and read permissions from it lazily).
   */
  private FileStatus rooted(FileStatus local, Path f) {
    return new FileStatus(
        local.getLen(),
        local.isDirectory(),
        1,
        local.getBlockSize(),
        local.getModificationTime(),
        makeQualified(f));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    record("create", f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    record("open", f);
    return super.open(f, bufferSize);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (!exists(src)) {
      throw new FileNotFoundException(src.toString());
    }
    if (exists(dst)) { // HDFS: no replacing
      record("rename-refused", dst);
      return false;
    }
    record("rename", dst);
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    boolean deleted = super.delete(p, recursive);
    if (deleted) {
      record("delete", p);
    }
    return deleted;
  }

  private void record(String op, Path p) {
    OPERATIONS.add(op + " " + makeQualified(p).toUri().getPath());
  }
}
