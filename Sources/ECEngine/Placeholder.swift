public enum ECEnginePlaceholder {}
