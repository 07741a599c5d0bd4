"""assetledger: the system of record for poverty-alleviation project assets (扶贫项目资产)."""

__version__ = "0.1.0"
