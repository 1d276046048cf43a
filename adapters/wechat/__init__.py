"""The WeChat Official Account (服务号) adapter: signed XML pushes, passive replies, safe mode."""
