package adamerge.vit.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A child JVM for {@link AtomicFileTest}: starts writing args[0] atomically, writes half of
 * args[1] bytes, says "half" on stdout and waits to be killed.
 */
public final class HalfWriter {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        AtomicFile.write(Path.of(args[0]), ch -> {
            ch.write(ByteBuffer.wrap(AtomicFileTest.content(n, (byte) 'n'), 0, n / 2));
            System.out.println("half");
            System.out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
