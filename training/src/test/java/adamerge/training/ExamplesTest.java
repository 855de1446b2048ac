package adamerge.training;

import adamerge.tensor.Tensor;
import adamerge.vit.data.ImageDataSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Training examples made from a data set: its images and labels, or an error naming it. */
class ExamplesTest {
    static final Tensor IMAGES = Tensor.randn(3, 4, 3, 2, 2);

    @Test
    void aLabelledSetGivesEveryImageAndLabelThroughOneHead() {
        Trainer.Examples e = Trainer.Examples.of(ImageDataSet.of("set", IMAGES, new int[]{0, 2, 1, 2}, List.of()), 3);
        assertArrayEquals(IMAGES.toArray(), e.pixels().toArray());
        assertArrayEquals(new int[]{0, 2, 1, 2}, e.labels());
        assertArrayEquals(new int[4], e.heads());
    }

    @Test
    void noLabelsOrALabelWithoutAClassIsAnErrorNamingTheSet() {
        var unlabeled = assertThrows(IllegalArgumentException.class,
                () -> Trainer.Examples.of(ImageDataSet.of("unlabeled", IMAGES, null, List.of()), 3));
        assertTrue(unlabeled.getMessage().contains("unlabeled") && unlabeled.getMessage().contains("no labels"), unlabeled.getMessage());
        var tooMany = assertThrows(IllegalArgumentException.class,
                () -> Trainer.Examples.of(ImageDataSet.of("four", IMAGES, new int[]{0, 3, 1, 2}, List.of()), 3));
        assertTrue(tooMany.getMessage().contains("four") && tooMany.getMessage().contains("label 3"), tooMany.getMessage());
    }
}
