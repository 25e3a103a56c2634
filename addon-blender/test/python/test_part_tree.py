"""Unit tests of the local merge-tree cut and the area vote."""

import unittest

import numpy as np

from partfield_bridge.part_tree import PartTree, TreeError, cut_tree, vote_labels

# Leaves 0..4. Merges: (0,1)->5, (3,4)->6, (5,2)->7, (7,6)->8.
FIVE_LEAVES = PartTree(5, [0, 1, 3, 4, 5, 2, 7, 6])


class CutTreeTest(unittest.TestCase):
    def test_each_part_count(self):
        expected = {
            1: [0, 0, 0, 0, 0],
            2: [0, 0, 0, 1, 1],
            3: [0, 0, 1, 2, 2],
            4: [0, 0, 1, 2, 3],
            5: [0, 1, 2, 3, 4],
        }
        for k, labels in expected.items():
            with self.subTest(k=k):
                self.assertEqual(cut_tree(FIVE_LEAVES, k).tolist(), labels)

    def test_counts_outside_range_clamp(self):
        self.assertEqual(cut_tree(FIVE_LEAVES, 0).tolist(), [0] * 5)
        self.assertEqual(cut_tree(FIVE_LEAVES, 99).tolist(), [0, 1, 2, 3, 4])

    def test_labels_follow_lowest_leaf(self):
        # (2,3) merges first, yet the part holding leaf 0 must still be label 0.
        tree = PartTree(4, [2, 3, 0, 1, 4, 5])
        self.assertEqual(cut_tree(tree, 2).tolist(), [0, 0, 1, 1])

    def test_forest_keeps_components(self):
        # Two components {0,1,2} and {3,4}: three merges for five leaves.
        forest = PartTree(5, [0, 1, 3, 4, 5, 2])
        self.assertEqual(forest.min_parts, 2)
        self.assertEqual(cut_tree(forest, 1).tolist(), [0, 0, 0, 1, 1])

    def test_empty_and_single_leaf(self):
        self.assertEqual(cut_tree(PartTree(0, []), 3).tolist(), [])
        self.assertEqual(cut_tree(PartTree(1, []), 3).tolist(), [0])

    def test_deep_chain(self):
        count = 20000
        merges = [0, 1] + [x for i in range(2, count) for x in (count + i - 2, i)]
        tree = PartTree(count, merges)
        labels = cut_tree(tree, 3)
        self.assertEqual(labels[: count - 2].max(), 0)
        self.assertEqual(labels[-2:].tolist(), [1, 2])


class TreeValidationTest(unittest.TestCase):
    def test_reference_to_future_node(self):
        with self.assertRaisesRegex(TreeError, 'merge 0 joins nodes 0 and 5'):
            PartTree(3, [0, 5, 1, 2])

    def test_node_merged_twice(self):
        with self.assertRaisesRegex(TreeError, 'node 0 is merged 2 times'):
            PartTree(3, [0, 1, 0, 2])

    def test_too_many_merges(self):
        with self.assertRaisesRegex(TreeError, '3 merges for 3 leaves'):
            PartTree(3, [0, 1, 2, 3, 4, 0])

    def test_negative_id(self):
        with self.assertRaisesRegex(TreeError, 'merge 0'):
            PartTree(3, [-1, 1])


class VoteLabelsTest(unittest.TestCase):
    def test_largest_area_wins(self):
        # Polygon 0: triangles labelled 1 (area 1) and 2 (area 3). Polygon 1: one triangle of 0.
        labels = vote_labels([1, 2, 0], [0, 0, 1], [1.0, 3.0, 2.0], 2)
        self.assertEqual(labels.tolist(), [2, 0])

    def test_area_sums_across_triangles(self):
        # Label 0 has two small triangles (1 + 1.5) beating one of 2.
        labels = vote_labels([0, 1, 0], [0, 0, 0], [1.0, 2.0, 1.5], 1)
        self.assertEqual(labels.tolist(), [0])

    def test_tie_takes_lower_label(self):
        self.assertEqual(vote_labels([3, 1], [0, 0], [1.0, 1.0], 1).tolist(), [1])

    def test_unsent_polygon_gets_minus_one(self):
        self.assertEqual(vote_labels([4], [1], [1.0], 3).tolist(), [-1, 4, -1])

    def test_one_leaf_per_polygon_keeps_labels(self):
        leaf_labels = np.array([2, 0, 1, 1], dtype=np.int32)
        self.assertEqual(vote_labels(leaf_labels, [0, 1, 2, 3], [1, 1, 1, 1], 4).tolist(), [2, 0, 1, 1])


if __name__ == '__main__':
    unittest.main()
