public enum ExpandClusterPlaceholder {}
