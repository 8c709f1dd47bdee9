package dev.distill.spark.internal;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * The driver's Hadoop {@link Configuration}, shipped to the executors (Spark broadcasts it).
 *
 * <p>{@code Configuration} is a Hadoop {@code Writable}, not {@code Serializable}: this holder
 * writes it with {@link Configuration#write} and reads it back into a fresh configuration that does
 * not load the executor's own {@code *-site.xml} files, so every executor resolves the output URI
 * with the settings the driver had ({@code core-site.xml}, {@code spark.hadoop.*}, credentials
 * providers). Immutable once built (the executors must not change it); thread-safe for reading.
 */
public final class HadoopConf implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient Configuration conf;

  /**
   * A copy of a configuration.
   *
   * @param conf the configuration (copied; later changes to it are not seen)
   */
  public HadoopConf(Configuration conf) {
    this.conf = new Configuration(checkNotNull(conf, "conf"));
  }

  /**
   * The configuration.
   *
   * @return it (do not change it)
   */
  public Configuration get() {
    return conf;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    conf.write(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    conf = new Configuration(false);
    conf.readFields(in);
  }
}
