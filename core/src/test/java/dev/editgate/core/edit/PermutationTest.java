package dev.editgate.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PermutationTest {

    static Permutation random(int n, SplittableRandom rng) {
        int[] a = Permutation.identity(n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i]; a[i] = a[j]; a[j] = t;
        }
        return Permutation.of(a);
    }

    @Test
    void parsesAndPrintsBothNotations() {
        Permutation p = Permutation.parse("(0 1)(2 5 3)", 6);
        assertThat(p.toArray()).containsExactly(1, 0, 5, 2, 4, 3);
        assertThat(p.toImageString()).isEqualTo("[1,0,5,2,4,3]");
        assertThat(p.toCycleString()).isEqualTo("(0 1)(2 5 3)");
        assertThat(Permutation.parse("[1,0,5,2,4,3]", 6)).isEqualTo(p);
        assertThat(Permutation.parse(" [1, 0, 5, 2, 4, 3] ", -1)).isEqualTo(p);
        assertThat(Permutation.parse("(0,1) (3 2 5)", 6)).isEqualTo(p);
        assertThat(Permutation.parse("()", 4).isIdentity()).isTrue();
        assertThat(Permutation.identity(4).toCycleString()).isEqualTo("()");
        assertThat(Permutation.parse("(2)", 4).isIdentity()).isTrue();
        assertThat(p.toString()).contains("[1,0,5,2,4,3]").contains("(0 1)(2 5 3)");
    }

    @Test
    void printParseRoundTripOnRandomPermutations() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int t = 0; t < 200; t++) {
            int n = 1 + rng.nextInt(12);
            Permutation p = random(n, rng);
            assertThat(Permutation.parse(p.toImageString(), n)).isEqualTo(p);
            assertThat(Permutation.parse(p.toCycleString(), n)).isEqualTo(p);
            assertThat(Permutation.fromCycles(n, p.cycles())).isEqualTo(p);
        }
    }

    @Test
    void inverseUndoes() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int t = 0; t < 100; t++) {
            Permutation p = random(1 + rng.nextInt(10), rng);
            assertThat(p.andThen(p.inverse()).isIdentity()).isTrue();
            assertThat(p.inverse().andThen(p).isIdentity()).isTrue();
            for (int i = 0; i < p.size(); i++) assertThat(p.inverse().apply(p.apply(i))).isEqualTo(i);
        }
        assertThat(Permutation.parse("(0 1 2)", 3).inverse()).isEqualTo(Permutation.parse("(0 2 1)", 3));
    }

    /** Javadoc: applying π then σ equals π.andThen(σ) = π ∘ σ, with image i -> π(σ(i)). */
    @Test
    void composeConventionMatchesTheJavadoc() {
        Permutation pi = Permutation.parse("(0 1 2)", 4);   // [1,2,0,3]
        Permutation sigma = Permutation.parse("(0 1)", 4);  // [1,0,2,3]
        Permutation both = pi.andThen(sigma);
        for (int i = 0; i < 4; i++) assertThat(both.apply(i)).isEqualTo(pi.apply(sigma.apply(i)));
        assertThat(both.toImageString()).isEqualTo("[2,1,0,3]");
        assertThat(pi.compose(sigma)).isEqualTo(both);
        // gathering a labelled list twice (new[i] = old[p(i)]) equals one gather by π.andThen(σ)
        String[] heads = {"a", "b", "c", "d"};
        String[] once = gather(heads, pi);
        String[] twice = gather(once, sigma);
        assertThat(twice).containsExactly(gather(heads, both));
        assertThatThrownBy(() -> pi.andThen(Permutation.identity(3))).hasMessageContaining("4 and 3 points");
    }

    static String[] gather(String[] a, Permutation p) {
        String[] out = new String[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[p.apply(i)];
        return out;
    }

    @Test
    void cyclesMovedPointsAndSign() {
        Permutation p = Permutation.parse("(0 1)(2 5 3)", 7);
        assertThat(p.cycles()).hasSize(2);
        assertThat(p.cycles().get(0)).containsExactly(0, 1);
        assertThat(p.cycles().get(1)).containsExactly(2, 5, 3);
        assertThat(p.movedPoints()).containsExactly(0, 1, 2, 3, 5);
        assertThat(p.movedCount()).isEqualTo(5);
        assertThat(p.sign()).isEqualTo(-1);                       // 1 + 2 transpositions
        assertThat(Permutation.parse("(0 1 2)", 3).sign()).isEqualTo(1);
        assertThat(Permutation.parse("(0 1)(2 3)", 4).sign()).isEqualTo(1);
        assertThat(Permutation.identity(5).sign()).isEqualTo(1);
        assertThat(Permutation.transposition(5, 1, 3).toCycleString()).isEqualTo("(1 3)");
        // sign is multiplicative
        SplittableRandom rng = new SplittableRandom(3);
        for (int t = 0; t < 50; t++) {
            Permutation a = random(6, rng), b = random(6, rng);
            assertThat(a.andThen(b).sign()).isEqualTo(a.sign() * b.sign());
        }
    }

    @Test
    void isImmutable() {
        int[] image = {1, 0, 2};
        Permutation p = Permutation.of(image);
        image[0] = 2;
        p.toArray()[1] = 2;
        assertThat(p.toImageString()).isEqualTo("[1,0,2]");
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        assertThatThrownBy(() -> Permutation.of(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value 1 appears more than once");
        assertThatThrownBy(() -> Permutation.of(0, 3, 1))
                .hasMessageContaining("value 3 at position 1 is out of range 0..2");
        assertThatThrownBy(() -> Permutation.of(-1, 0))
                .hasMessageContaining("value -1 at position 0 is out of range");
        assertThatThrownBy(() -> Permutation.parse("[1,0,2]", 4))
                .hasMessageContaining("has 3 entries; expected 4");
        assertThatThrownBy(() -> Permutation.parse("[1,0,x]", 3)).hasMessageContaining("'x' is not an integer");
        assertThatThrownBy(() -> Permutation.parse("[1,0", 2)).hasMessageContaining("must end with ']'");
        assertThatThrownBy(() -> Permutation.parse("(0 1", 2)).hasMessageContaining("unclosed '('");
        assertThatThrownBy(() -> Permutation.parse("(0 1)(1 2)", 3)).hasMessageContaining("not disjoint");
        assertThatThrownBy(() -> Permutation.parse("(0 7)", 3)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Permutation.parse("(0 1)", -1)).hasMessageContaining("needs the number of points");
        assertThatThrownBy(() -> Permutation.parse("0 1", 2)).hasMessageContaining("expected an image list");
        assertThatThrownBy(() -> Permutation.fromCycles(3, List.of(new int[] {0, 1, 0})))
                .hasMessageContaining("not disjoint");
    }
}
