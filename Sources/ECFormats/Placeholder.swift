public enum ECFormatsPlaceholder {}
