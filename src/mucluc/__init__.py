"""mucluc: Mục lục liên hợp tài liệu quốc gia, the national union catalogue of Vietnam."""

__version__ = "0.1.0"
