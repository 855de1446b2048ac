package adamerge.opencl;

import adamerge.tensor.Binary;
import adamerge.tensor.Unary;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels name their op codes (UNARY_EXP, ...) and never write the numbers, so reordering an
 * enum cannot misroute an op on the device. Reads the sources only: no OpenCL device needed.
 */
class OpCodesTest {
    private static final Pattern NAMED = Pattern.compile("\\b(UNARY|BINARY|REDUCE)_[A-Z0-9_]+\\b");
    /** A number where an op code goes: a case label, a comparison with op, or the op argument of a helper. */
    private static final Pattern NUMBERED = Pattern.compile("\\bcase\\s+\\d|\\bop\\s*[!=]=\\s*\\d"
            + "|\\b(unary_op|binary_op|combine)\\s*\\(\\s*\\d|\\bgroup_reduce\\s*\\([^,()]*,\\s*\\d");

    /** What is wrong with the op codes of one kernel source, a line per fault. */
    static List<String> faults(String file, String source) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        List<String> known = new ArrayList<>();
        for (Class<? extends Enum<?>> e : OpCodes.ENUMS) for (Enum<?> op : e.getEnumConstants()) known.add(OpCodes.name(op));
        List<String> faults = new ArrayList<>();
        Matcher n = NUMBERED.matcher(code);
        while (n.find()) faults.add(file + ": a numeric op code at '" + n.group() + "'; name the op (e.g. UNARY_EXP) instead");
        Matcher m = NAMED.matcher(code);
        while (m.find())
            if (!known.contains(m.group())) faults.add(file + ": " + m.group() + " names no constant of " + OpCodes.ENUMS);
        return faults;
    }

    @Test
    void kernelsNameTheirOpCodes() {
        for (String file : KernelPrograms.SOURCES) assertEquals(List.of(), faults(file, KernelPrograms.source(file)));
    }

    @Test
    void everyUnaryAndBinaryOpHasACase() {
        String source = KernelPrograms.source("elementwise.cl");
        for (Enum<?>[] ops : List.<Enum<?>[]>of(Unary.values(), Binary.values()))
            for (Enum<?> op : ops)
                assertTrue(source.contains("case " + OpCodes.name(op) + ":"), "elementwise.cl has no case for " + op);
    }

    @Test
    void theCheckCatchesNumbersAndUnknownNames() {
        String bad = "switch (op) { case 3: return x; case UNARY_CUBE: return x; }\nfloat a = op == 0 ? 1 : combine(1, a, b);\n"
                + "y = group_reduce(s, 0, y); // case 4: in a comment is fine\n";
        assertEquals(5, faults("bad.cl", bad).size(), String.join("\n", faults("bad.cl", bad)));
    }

    @Test
    void definesGiveEveryOpItsCode() {
        Map<String, Integer> defined = new HashMap<>();
        Matcher d = Pattern.compile("#define (\\w+) (\\d+)").matcher(OpCodes.defines());
        while (d.find()) assertEquals(null, defined.put(d.group(1), Integer.parseInt(d.group(2))), d.group(1) + " defined twice");
        for (Class<? extends Enum<?>> e : OpCodes.ENUMS)
            for (Enum<?> op : e.getEnumConstants()) assertEquals(OpCodes.of(op), defined.get(OpCodes.name(op)), OpCodes.name(op));
    }
}
