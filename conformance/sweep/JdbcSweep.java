// conformance/sweep/JdbcSweep.java SCENARIO URL — pgJDBC traffic for the
// real-traffic sweep (run by conformance/sweep/record through `pgw record`
// with `java -cp postgresql.jar JdbcSweep.java ...`).
// Scenarios: batch, autosave, copy, fetch, cancel, modes, conservative, idle.
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.*;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

public class JdbcSweep {
  static void batch(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE jb (a int PRIMARY KEY, b text)");
    }
    c.commit();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO jb VALUES (?, ?)")) {
      for (int i = 0; i < 60; i++) { ps.setInt(1, i); ps.setString(2, "row " + i); ps.addBatch(); }
      System.out.println("batch: " + ps.executeBatch().length);
      // a batch with a duplicate key in the middle
      for (int i = 100; i < 110; i++) { ps.setInt(1, i == 105 ? 1 : i); ps.setString(2, "x"); ps.addBatch(); }
      try { ps.executeBatch(); } catch (BatchUpdateException e) { System.out.println("batch error: " + e.getSQLState()); }
    }
    c.rollback();
    try (Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO jb VALUES (500, 'a')");
      s.addBatch("UPDATE jb SET b = 'b' WHERE a = 500");
      s.addBatch("DELETE FROM jb WHERE a = 500");
      System.out.println("statement batch: " + s.executeBatch().length);
    }
    c.commit();
  }

  static void autosave(Connection c) throws SQLException {
    // URL has autosave=always: a SAVEPOINT before each statement, ROLLBACK
    // TO it after an error, so the transaction goes on
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE ja (a int PRIMARY KEY)");
      s.execute("INSERT INTO ja VALUES (1)");
      try { s.execute("INSERT INTO ja VALUES (1)"); } catch (SQLException e) { System.out.println("error: " + e.getSQLState()); }
      s.execute("INSERT INTO ja VALUES (2)");
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM ja WHERE a > ?")) {
        for (int i = 0; i < 7; i++) { ps.setInt(1, i % 2); try (ResultSet r = ps.executeQuery()) { r.next(); } }
      }
      try { s.executeQuery("SELECT 1/0"); } catch (SQLException e) { System.out.println("error: " + e.getSQLState()); }
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM ja")) { r.next(); System.out.println("rows: " + r.getInt(1)); }
    }
    c.commit();
  }

  static void copy(Connection c) throws Exception {
    CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 300; i++) sb.append(i).append('\t').append("jdbc ").append(i).append('\t').append(i * 0.5).append('\n');
    System.out.println("copy in: " + cm.copyIn("COPY sweep.copy_target FROM STDIN", new StringReader(sb.toString())));
    StringWriter w = new StringWriter();
    System.out.println("copy out: " + cm.copyOut("COPY (SELECT * FROM sweep.book ORDER BY id) TO STDOUT (FORMAT csv)", w));
    try { cm.copyIn("COPY sweep.copy_target (a) FROM STDIN", new StringReader("1\n2\nthree\n")); }
    catch (SQLException e) { System.out.println("copy error: " + e.getSQLState()); }
  }

  static void fetch(Connection c) throws SQLException {
    c.setAutoCommit(false);   // fetch size needs a transaction
    try (PreparedStatement ps = c.prepareStatement("SELECT id, title, price FROM sweep.book WHERE id > ? ORDER BY id")) {
      ps.setFetchSize(25);
      ps.setInt(1, 10);
      int n = 0;
      try (ResultSet r = ps.executeQuery()) { while (r.next()) n++; }
      System.out.println("fetched " + n);
      ps.setInt(1, 150);
      try (ResultSet r = ps.executeQuery()) { r.next(); System.out.println("first " + r.getInt(1)); } // closed early
    }
    try (Statement s = c.createStatement()) {
      s.setFetchSize(40);
      int n = 0;
      try (ResultSet r = s.executeQuery("SELECT * FROM sweep.reading")) { while (r.next()) n++; }
      System.out.println("fetched " + n);
      s.setFetchSize(10);
      try (ResultSet r = s.executeQuery("SELECT id, 1 / (60 - id) FROM sweep.book ORDER BY id")) { while (r.next()) { } }
      catch (SQLException e) { System.out.println("fetch error: " + e.getSQLState()); }
    }
    c.rollback();
  }

  static void cancel(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      Thread t = new Thread(() -> { try { Thread.sleep(700); s.cancel(); } catch (Exception e) { e.printStackTrace(); } });
      t.start();
      try { s.execute("SELECT pg_sleep(10)"); } catch (SQLException e) { System.out.println("cancelled: " + e.getSQLState()); }
      t.join();
      try (ResultSet r = s.executeQuery("SELECT 1")) { r.next(); System.out.println("after: " + r.getInt(1)); }
    }
  }

  static void modes(Connection c) throws SQLException {
    // run with preferQueryMode=simple (parameters inlined, batches as one
    // multi-statement Query) or with reWriteBatchedInserts=true&prepareThreshold=1
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) { s.execute("CREATE TEMP TABLE jm (id serial PRIMARY KEY, a int, b text, c bytea DEFAULT decode('00ff10', 'hex'))"); }
    c.commit();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO jm (a, b) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      for (int i = 0; i < 40; i++) { ps.setInt(1, i); ps.setString(2, "it's " + i); ps.addBatch(); }
      ps.executeBatch();
      int n = 0;
      try (ResultSet r = ps.getGeneratedKeys()) { while (r.next()) n++; }
      System.out.println("generated keys: " + n);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT id, a, b, c, now() FROM jm WHERE a < ? ORDER BY id")) {
      for (int i = 0; i < 6; i++) { ps.setInt(1, i * 5); try (ResultSet r = ps.executeQuery()) { while (r.next()) r.getBytes(4); } }
    }
    try (Statement s = c.createStatement()) {
      try { s.execute("SELECT 1; SELECT 1/0; SELECT 3"); } catch (SQLException e) { System.out.println("error: " + e.getSQLState()); }
    }
    c.rollback();
    try (CallableStatement cs = c.prepareCall("{? = call sweep.twice(?)}")) {
      cs.registerOutParameter(1, Types.INTEGER); cs.setInt(2, 21); cs.execute(); System.out.println("twice: " + cs.getInt(1));
    } catch (SQLException e) { System.out.println("callable error: " + e.getSQLState()); }   // simple mode: twice(unknown, integer)
    c.rollback();
    c.commit();
  }

  static void conservative(Connection c) throws SQLException {
    // autosave=conservative, prepareThreshold=1: a server-prepared SELECT *
    // whose table changes shape gets "cached plan must not change result
    // type" (0A000); pgJDBC rolls back to its savepoint and re-prepares
    try (Statement s = c.createStatement()) { s.execute("DROP TABLE IF EXISTS jc"); s.execute("CREATE TABLE jc (a int)"); s.execute("INSERT INTO jc VALUES (1)"); }
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jc")) {
      for (int i = 0; i < 3; i++) try (ResultSet r = ps.executeQuery()) { r.next(); }
      try (Statement s = c.createStatement()) { s.execute("ALTER TABLE jc ADD COLUMN b text DEFAULT 'x'"); }
      try (ResultSet r = ps.executeQuery()) { r.next(); System.out.println("columns after ALTER: " + r.getMetaData().getColumnCount()); }
    }
    c.commit();
    // a batch of 1000 inserts: pgJDBC puts a Sync in every so often so that
    // neither side's buffers fill
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO jc VALUES (?, ?)")) {
      for (int i = 0; i < 1000; i++) { ps.setInt(1, i); ps.setString(2, "b" + i); ps.addBatch(); }
      System.out.println("big batch: " + ps.executeBatch().length);
    }
    c.commit();
    // setQueryTimeout: pgJDBC's timer sends a CancelRequest (connection -2)
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      try { s.execute("SELECT pg_sleep(5)"); } catch (SQLException e) { System.out.println("timeout: " + e.getSQLState()); }
      c.rollback();   // conservative autosave does not roll back to its savepoint after a cancel
      s.setQueryTimeout(0);
      s.setMaxRows(5);
      try (ResultSet r = s.executeQuery("SELECT * FROM jc")) { int n = 0; while (r.next()) n++; System.out.println("max rows: " + n); }
    }
    c.rollback();
    try (Statement s = c.createStatement()) { s.execute("DROP TABLE jc"); }
    c.commit();
  }

  static void idle(Connection c) throws Exception {
    // idle_session_timeout ends the session while pgJDBC waits; its next
    // extended-query batch (Parse/Bind/Describe/Execute/Sync) is in flight
    // when it reads the FATAL 57P05
    try (Statement s = c.createStatement()) { s.execute("SET idle_session_timeout = '300ms'"); }
    Thread.sleep(1000);
    try (PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1")) {
      ps.setInt(1, 41);
      try (ResultSet r = ps.executeQuery()) { r.next(); } catch (SQLException e) { System.out.println("after the timeout: " + e.getSQLState()); }
    }
  }

  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection(a[1])) {
      DatabaseMetaData md = c.getMetaData();
      System.out.println(md.getDriverName() + " " + md.getDriverVersion() + ", server " + md.getDatabaseProductVersion());
      switch (a[0]) {
        case "batch": batch(c); break;
        case "autosave": autosave(c); break;
        case "copy": copy(c); break;
        case "fetch": fetch(c); break;
        case "cancel": cancel(c); break;
        case "modes": modes(c); break;
        case "conservative": conservative(c); break;
        case "idle": idle(c); break;
        default: throw new IllegalArgumentException(a[0]);
      }
    }
  }
}
