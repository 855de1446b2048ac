package adamerge.tensor;

import adamerge.tensor.cpu.CpuBackends;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@link Backends#use} scope chooses where new tensors go until it closes, then puts back what was there. */
class BackendsTest {
    // Two backends told apart by identity; whichever is the default, the other is a real choice.
    static final Backend DEFAULT = Backends.defaultBackend();
    static final Backend OTHER = DEFAULT == CpuBackends.SIMD ? CpuBackends.SCALAR : CpuBackends.SIMD;

    @Test
    void aScopeRestoresTheDefault() {
        assertSame(DEFAULT, Backends.current());
        try (Backends.Scope scope = Backends.use(OTHER)) {
            assertSame(OTHER, scope.backend());
            assertSame(OTHER, Backends.current());
        }
        assertSame(DEFAULT, Backends.current());
    }

    @Test
    void newTensorsGoToTheScopesBackend() {
        // A CPU tensor names the active CPU backend whichever made it, so count the calls instead.
        AtomicInteger made = new AtomicInteger();
        Backend counting = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, (proxy, m, args) -> {
            if (m.getName().equals("fromArray")) made.incrementAndGet();
            return m.invoke(DEFAULT, args);
        });
        try (Backends.Scope scope = Backends.use(counting)) {
            Tensor.zeros(2, 3);
            Tensor.of(new float[]{1}, 1);
        }
        Tensor.zeros(4);
        assertEquals(2, made.get());
    }

    @Test
    void nestedScopesRestoreInTurn() {
        try (Backends.Scope outer = Backends.use(OTHER)) {
            try (Backends.Scope inner = Backends.use(DEFAULT)) {
                assertSame(DEFAULT, Backends.current());
                try (Backends.Scope innermost = Backends.use(OTHER)) {
                    assertSame(OTHER, Backends.current());
                }
                assertSame(DEFAULT, Backends.current());
            }
            assertSame(OTHER, Backends.current());
        }
        assertSame(DEFAULT, Backends.current());
    }

    @Test
    void aScopeIsRestoredWhenItsWorkThrows() {
        assertThrows(ArithmeticException.class, () -> {
            try (Backends.Scope scope = Backends.use(OTHER)) {
                throw new ArithmeticException("the work failed");
            }
        });
        assertSame(DEFAULT, Backends.current());
    }

    @Test
    void closingTwiceDoesNothing() {
        Backends.Scope outer = Backends.use(OTHER);
        Backends.Scope inner = Backends.use(DEFAULT);
        inner.close();
        inner.close(); // must not pop the outer scope too
        assertSame(OTHER, Backends.current());
        outer.close();
        assertSame(DEFAULT, Backends.current());
    }

    @Test
    void closingAnOuterScopeFirstIsRefused() {
        Backends.Scope outer = Backends.use(OTHER);
        Backends.Scope inner = Backends.use(DEFAULT);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
            assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
            assertSame(DEFAULT, Backends.current()); // nothing changed
        } finally {
            inner.close();
            outer.close();
        }
        assertSame(DEFAULT, Backends.current());
    }

    @Test
    void aScopeNeedsABackend() {
        assertThrows(NullPointerException.class, () -> Backends.use(null));
        assertSame(DEFAULT, Backends.current());
    }
}
