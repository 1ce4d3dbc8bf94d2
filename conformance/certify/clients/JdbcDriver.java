/*
 * JdbcDriver.java - a client for `pgw certify client`: pgJDBC (Debian
 * libpostgresql-jdbc-java), one fresh connection per action, in order
 * (the actions of `pgw certify client --list`).
 *
 *   java -cp .:/usr/share/java/postgresql.jar JdbcDriver URL USER PASSWORD ACTION...
 *
 * pgJDBC speaks the extended protocol for every statement; "pipeline" is a
 * batch (several Parse/Bind/Execute and one Sync), "copyfail" is
 * CopyIn.cancelCopy(), "cancel" is Statement.cancel() from another thread.
 * A failing action is printed and the next one runs.
 */
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

public class JdbcDriver {
  static void query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static void act(Connection c, String a) throws Exception {
    CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
    switch (a) {
      case "query": query(c, "SELECT 1"); break;
      case "query2":
        try { query(c, "SELECT 1"); } catch (SQLException e) { System.out.println("  " + e.getMessage()); }
        query(c, "SELECT 2");
        break;
      case "extended":
        try (PreparedStatement p = c.prepareStatement("SELECT ?::int")) {
          p.setInt(1, 1);
          p.execute();
        }
        break;
      case "pipeline":
        try (Statement s = c.createStatement()) {
          for (int i = 0; i < 3; i++) s.addBatch("SELECT 1");
          s.executeBatch();
        }
        break;
      case "copyin": cm.copyIn("COPY certify FROM STDIN", new StringReader("1\n")); break;
      case "copyfail": {
        CopyIn in = cm.copyIn("COPY certify FROM STDIN");
        byte[] row = "1\n".getBytes();
        in.writeToCopy(row, 0, row.length);
        in.cancelCopy();
        break;
      }
      case "copyout": cm.copyOut("COPY certify TO STDOUT", new StringWriter()); break;
      case "cancel": {
        Statement s = c.createStatement();
        Thread t = new Thread(() -> {
          try { Thread.sleep(200); s.cancel(); } catch (Exception e) { }
        });
        t.start();
        try { s.execute("SELECT pg_sleep(5)"); } finally { t.join(); s.close(); }
        break;
      }
      case "listen":
        query(c, "LISTEN certify");
        c.unwrap(PGConnection.class).getNotifications(1000);
        break;
      default: System.out.println("JdbcDriver: unknown action " + a);
    }
  }

  public static void main(String[] args) {
    System.out.println("pgJDBC " + org.postgresql.util.DriverInfo.DRIVER_VERSION);
    for (int i = 3; i < args.length; i++) {
      Properties p = new Properties();
      p.setProperty("user", args[1]);
      p.setProperty("password", args[2]);
      p.setProperty("connectTimeout", "10");
      p.setProperty("socketTimeout", "20");
      try (Connection c = DriverManager.getConnection(args[0], p)) {
        act(c, args[i]);
        System.out.println((i - 2) + " " + args[i] + " ok");
      } catch (Exception e) {
        System.out.println((i - 2) + " " + args[i] + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
  }
}
