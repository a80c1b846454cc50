#!/usr/bin/env bash
# The fast tests, in under two minutes once built: the unit tests of every library, the Python
# and SciPy cross-checks, ρ selection by pilots, and the command line's usage errors. Whole
# identifications, GEMM kernels on PoCL, timed training, large files and the demo are left to the
# full command:
#   scripts/setup.sh && swift test -c release --no-parallel && scripts/fuzz.sh 10
# Extra arguments go to `swift test` (e.g. --no-parallel).
set -euo pipefail
cd "$(dirname "$0")/.."
suites=(
  ECCoreTests ECNumericsTests ECDistributedTests
  ECFormatsTests.AnyTensorTests ECFormatsTests.IDXTests ECFormatsTests.InputFileTests ECFormatsTests.NPYTests
  ECFormatsTests.NPZTests ECFormatsTests.NetworkFileTests ECFormatsTests.ProbeSetTests
  ECFormatsTests.PythonInteropTests ECFormatsTests.SafetensorsTests ECFormatsTests.FuzzTests
  ECFormatsTests.HostileFileTests
  ECEngineTests.BackendChoiceTests ECEngineTests.CPUBackendTests ECEngineTests.LevenbergMarquardtTests
  ECEngineTests.OpenCLDeviceSelectionTests ECEngineTests.LossKernelTests ECEngineTests.GemmUpdateTests
  ECEngineTests.LaunchCountTests
  ExpandClusterTests.AverageLinkageTests ExpandClusterTests.ClusterCountProfileTests
  ExpandClusterTests.CondensedDistancesTests ExpandClusterTests.DuplicateFoldingTests
  ExpandClusterTests.InputMaskTests ExpandClusterTests.LayerTreeTests ExpandClusterTests.NetworkComparisonTests
  ExpandClusterTests.OptimalAssignmentTests ExpandClusterTests.SVGChartTests ExpandClusterTests.SciPyLinkageTests
  ExpandClusterTests.SuitePicturesTests ExpandClusterTests.IdentifyPicturesTests
  ExpandClusterTests.ImageDatasetTests ExpandClusterTests.NeuronPruningTests ExpandClusterTests.SpanGrowthTests
  ExpandClusterTests.ExactFitRefinementTests ExpandClusterTests.ToySuiteTests ExpandClusterTests.TeacherTrainingTests
  ExpandClusterTests.RhoSelectionTests ExpandClusterTests.NeuronFitTests ExpandClusterTests.DataMetricTests
  ExpandClusterTests.CheckpointValidationTests
  ecTests.UsageErrorTests ecTests.MPILinkingTests
)
filter=$(IFS='|'; echo "${suites[*]}")
exec swift test -c release --filter "^(${filter//./\\.})[./]" "$@"
