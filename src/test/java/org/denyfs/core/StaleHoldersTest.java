package org.denyfs.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StaleHoldersTest {
    @Test
    void blocks_followsTheKernelRulePerKind() {
        assertThat(StaleHolders.blocks(-1, HoldKind.WRITE)).isTrue();
        assertThat(StaleHolders.blocks(0, HoldKind.WRITE)).isFalse();
        assertThat(StaleHolders.blocks(2, HoldKind.WRITE)).isFalse();
        assertThat(StaleHolders.blocks(1, HoldKind.DENY)).isTrue();
        assertThat(StaleHolders.blocks(-3, HoldKind.EXEC)).isFalse();
        assertThat(StaleHolders.blocks(-1, HoldKind.EXCLUSIVE_DENY)).isTrue();
        assertThat(StaleHolders.blocks(1, HoldKind.EXCLUSIVE_DENY)).isTrue();
        assertThat(StaleHolders.blocks(0, HoldKind.EXCLUSIVE_DENY)).isFalse();
    }

    @Test
    void isBlocker_oppositeSignsBlock_andEverybodyBlocksAnExclusiveDeny() {
        assertThat(StaleHolders.isBlocker(HoldKind.EXEC, HoldKind.WRITE)).isTrue();
        assertThat(StaleHolders.isBlocker(HoldKind.WRITE, HoldKind.WRITE)).isFalse();
        assertThat(StaleHolders.isBlocker(HoldKind.WRITE, HoldKind.DENY)).isTrue();
        assertThat(StaleHolders.isBlocker(HoldKind.DENY, HoldKind.DENY)).isFalse();
        assertThat(StaleHolders.isBlocker(HoldKind.DENY, HoldKind.EXCLUSIVE_DENY)).isTrue();
    }
}
